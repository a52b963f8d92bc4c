/// The gateway software's version: in every custody record (`gateway.version`) and in the
/// metrics (`recorder_gateway_build_info`).
public enum GatewayVersion {
    public static let text = "0.3.0"
}

import Volumes

/// A time stamp as istat prints it, to the second.
func istatText(_ stamp: VolumeTimestamp?) -> String? {
    stamp.map { String(format: "%04d-%02d-%02d %02d:%02d:%02d", $0.year, $0.month, $0.day, $0.hour, $0.minute, $0.second) }
}

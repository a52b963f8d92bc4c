import AmbaASCIIFamily
import AmbaControlFamily
import MassStorageFamily
import ProtocolV1Family
import RecorderHAL

extension DriverRegistry {
    /// Every driver built into the binaries, one per family. A new family is a module under
    /// `Sources/Families/` and one entry here (plus its models in `recorders.json`). The vendor
    /// families (amba-ctrl, amba-ascii) are storage switches: they unlock a recorder whose disk
    /// the mass-storage driver then reads.
    public static let builtIn = DriverRegistry(drivers: [ZFYBulkDriver(), MassStorageDriver()],
                                               storageSwitches: [AmbaControlDriver(), AmbaASCIIDriver()])
}

import Foundation
FileHandle.standardError.write(Data("recorder-gatewayd: not built yet\n".utf8))
exit(64)

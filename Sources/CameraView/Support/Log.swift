import Logging

/// The library's logger, made at each use so a host's `LoggingSystem.bootstrap` applies
/// whenever it happens (logging here is rare: caller bugs and cleanup failures).
package var log: Logger { Logger(label: "CameraView") }

import Logging

/// The library's logger. Hosts configure swift-log's `LoggingSystem` as they like.
let log = Logger(label: "CameraView")

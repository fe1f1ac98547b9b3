import ArgumentParser
import CLISupport
import CameraView
import CameraViewStreams
import Foundation

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe the default render device: platform, EGL and GL versions, extensions, dma-buf import."
    )

    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "List the V4L2 capture devices and their NV12 sizes instead.") var devices = false

    func run() throws {
        try reportingErrors {
            guard !devices else { return try printCameras(CameraDevices.list()) }
            let device = try RenderDevice.open()
            defer { device.close() }
            let info = device.info
            let capabilities = try device.importCapabilities()
            if json {
                try printDeviceJSON(info, capabilities)
            } else {
                printText(info, capabilities)
            }
        }
    }

    private func printDeviceJSON(_ info: DeviceInfo, _ capabilities: ImportCapabilities) throws {
        struct Report: Encodable {
            let info: DeviceInfo
            let capabilities: ImportCapabilities
            func encode(to encoder: any Encoder) throws {
                try info.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(info.dmaBufImport, forKey: .dmaBufImport)
                try container.encode(capabilities.workingPaths, forKey: .importPaths)
                try container.encodeIfPresent(capabilities.externalNote, forKey: .externalImportNote)
                try container.encode(info.checksBufferAccess, forKey: .checksForeignBuffers)
            }
            enum Key: String, CodingKey { case dmaBufImport, importPaths, externalImportNote, checksForeignBuffers }
        }
        try printJSON(Report(info: info, capabilities: capabilities))
    }

    private func printCameras(_ cameras: [CameraDeviceInfo]) throws {
        if json {
            try printJSON(cameras)
            return
        }
        if cameras.isEmpty { print("no V4L2 capture devices") }
        for camera in cameras {
            let api = camera.multiplanar ? "multi-planar API" : "single-planar API"
            let formats = camera.nv12Format.map { "\($0): \(camera.nv12Sizes.map(\.description).joined(separator: " "))" } ?? "no NV12"
            print("\(camera.path): \(camera.card) (\(camera.driver), \(api)); \(formats)")
        }
    }

    private func printText(_ info: DeviceInfo, _ capabilities: ImportCapabilities) {
        print("platform:          \(info.platform.rawValue)\(info.drmNode.map { " (\($0))" } ?? "")")
        print("EGL vendor:        \(info.eglVendor)")
        print("EGL version:       \(info.eglVersion)")
        print("GL renderer:       \(info.glRenderer)")
        print("GL version:        \(info.glVersion)")
        print("max texture size:  \(info.maxTextureSize)")
        print("draw buffers:      \(info.maxDrawBuffers) (the packed path converts \(info.packedRows) rows per fragment)")
        print("dma-buf import:    \(info.dmaBufImport ? "available" : "not available (dma-buf frames are mapped and uploaded)")")
        print("import paths:      \(capabilities.workingPaths.map(\.rawValue).joined(separator: ", "))"
              + (capabilities.externalNote.map { " (external: \($0))" } ?? ""))
        if info.checksBufferAccess {
            print("foreign dma-bufs:  checked before import (this driver reads imports as dumb buffers; a buffer another driver allocated is mapped and uploaded instead)")
        }
        print("EGL extensions:    \(info.eglExtensions.joined(separator: " "))")
        print("GL extensions:     \(info.glExtensions.joined(separator: " "))")
    }
}

import CameraView
import CameraViewTesting
import Foundation
import Testing

/// Zoom, arbitrary 3x3 transforms and openpilot's road-view helper.
@Suite(.ledgerChecked) struct TransformTests {
    let frame = try! TestFrames.noise(layout: NV12Layout(width: 64, height: 48))
    var model: RGBAImage { ExactModel.render(frame) }

    @Test func zoomAboutTheCentre() throws {
        // 2x about (32, 24): output x shows frame 16 + x/2.
        let image = try render(frame, options: RenderOptions(zoom: 2, filter: .nearest))
        let model = self.model
        expectPixels(image) { x, y in model[16 + x / 2, 12 + y / 2] }
    }

    @Test func zoomAboutACorner() throws {
        let image = try render(frame, options: RenderOptions(zoom: 2, zoomCenter: FramePoint(x: 0, y: 0), filter: .nearest))
        let model = self.model
        expectPixels(image) { x, y in model[x / 2, y / 2] }
    }

    @Test func arbitraryTransformRotatesAQuarterTurn() throws {
        // Frame (x, y) -> output (47 - y + 1, x): a 48x64 output, turned clockwise.
        let rotation = Matrix3(rows: [[0, -1, 48], [1, 0, 0], [0, 0, 1]])
        let image = try render(frame, size: PixelSize(width: 48, height: 64), options: RenderOptions(frameToOutput: rotation, filter: .nearest))
        let model = self.model
        expectPixels(image) { x, y in model[y, 47 - x] }
    }

    /// A perspective transform, held to the exact model like every golden test: each pixel
    /// within 1 of the model, or of the model with its sample point nudged where it lies on
    /// a texel edge (see `ExactModel.mismatches`).
    @Test func projectiveTransformMatchesTheModel() throws {
        let perspective = Matrix3(rows: [[1.2, 0.1, 3], [0.05, 1.1, 2], [0.002, 0.001, 1]])
        let options = RenderOptions(frameToOutput: perspective, filter: .nearest)
        #expect(try ExactModel.mismatches(render(frame, size: PixelSize(width: 96, height: 72), options: options), frame, options) == 0)
    }

    @Test func singularTransformsAreTypedErrors() throws {
        let flat = Matrix3(rows: [[1, 0, 0], [0, 0, 0], [0, 0, 1]])
        #expect(throws: CameraViewError.singularTransform(flat)) {
            try render(frame, options: RenderOptions(frameToOutput: flat, filter: .nearest))
        }
        #expect(throws: CameraViewError.self) { try render(frame, options: RenderOptions(zoom: 0, filter: .nearest)) }
    }

    // tici road camera: f = 2648 px, principal point (964, 604); device x forward, y right, z down.
    static let intrinsics = Matrix3(rows: [[2648, 0, 964], [0, 2648, 604], [0, 0, 1]])
    static let viewFromDevice = Matrix3(rows: [[0, 1, 0], [0, 0, 1], [1, 0, 0]])

    static func yaw(_ angle: Double) -> Matrix3 {
        Matrix3(rows: [[cos(angle), -sin(angle), 0], [sin(angle), cos(angle), 0], [0, 0, 1]])
    }

    @Test func roadViewCentresTheVanishingPoint() {
        // Straight ahead: the vanishing point is the principal point; no offset.
        let straight = Matrix3.openpilotRoadView(intrinsics: Self.intrinsics, viewFromCalibration: Self.viewFromDevice,
                                                 output: PixelSize(width: 2160, height: 1080))
        #expect(straight == Matrix3(rows: [[1.1, 0, 1080 - 964 * 1.1], [0, 1.1, 540 - 604 * 1.1], [0, 0, 1]]))
        // Yawed 0.05 rad: the vanishing point moves 2648 tan(0.05) px; at zoom 1.1 in a
        // 1280x720 output the offset may reach 964 * 1.1 - 640 - 5 = 415.4 px.
        let yawed = Matrix3.openpilotRoadView(intrinsics: Self.intrinsics, viewFromCalibration: Self.viewFromDevice * Self.yaw(0.05),
                                              output: PixelSize(width: 1280, height: 720))
        let offset = 2648 * tan(0.05) * 1.1
        #expect(abs(yawed.rows[0][2] - (640 - offset - 964 * 1.1)) < 1e-9)
        #expect(abs(yawed.rows[1][2] - (360 - 604 * 1.1)) < 1e-9)
        // Yawed 0.3 rad: clamped at the margin.
        let clamped = Matrix3.openpilotRoadView(intrinsics: Self.intrinsics, viewFromCalibration: Self.viewFromDevice * Self.yaw(0.3),
                                                output: PixelSize(width: 1280, height: 720))
        #expect(abs(clamped.rows[0][2] - (640 - (964 * 1.1 - 640 - 5) - 964 * 1.1)) < 1e-9)
        // A wide output leaves no room to move: offsets are 0, not negative limits.
        let wide = Matrix3.openpilotRoadView(intrinsics: Self.intrinsics, viewFromCalibration: Self.viewFromDevice * Self.yaw(0.05),
                                             output: PixelSize(width: 2160, height: 1080))
        #expect(abs(wide.rows[0][2] - (1080 - 964 * 1.1)) < 1e-9)
    }
}

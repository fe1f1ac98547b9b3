import CameraView
import CameraViewStreams
import CameraViewTesting
import Foundation
import Testing

/// Frame sources and openpilot's stream rules: swap on first frame, reconnect, release.
@Suite(.ledgerChecked) struct StreamTests {
    let small = try! TestFrames.gradient(width: 32, height: 24)
    let large = try! TestFrames.noise(layout: NV12Layout(width: 48, height: 40))

    @Test func ringDeliversTheNewestFrame() throws {
        let source = InProcessSource(name: "road", ringSize: 3)
        try source.connect()
        #expect(try source.receive() == nil)
        for _ in 0..<5 { source.publish(small) }
        let frame = try #require(try source.receive())
        #expect(frame.frameID == 4 && frame.bufferIndex == 1, "the newest of 5 frames, in slot 4 % 3")
        #expect(try source.receive() == nil, "nothing new")
    }

    @Test func switchingSwapsOnlyOnceTheNewStreamDelivers() throws {
        let view = try CameraView()
        defer { view.close() }
        let road = InProcessSource(name: "road"), driver = InProcessSource(name: "driver")
        let stream = StreamView(view: view, source: road)
        road.publish(small)
        #expect(try stream.render() == render(small))
        stream.switchTo(driver)
        road.publish(small)
        #expect(try stream.render() == render(small), "the old stream shows until the new one delivers")
        #expect(stream.sources.current === road && stream.swapCount == 0)
        #expect(view.handles.liveCount(of: .texture) == 2)
        driver.publish(large)
        #expect(try stream.render() == render(large))
        #expect(stream.sources.current === driver && stream.sources.pending == nil && stream.swapCount == 1)
        #expect(!road.isConnected, "the old stream is let go")
        // Only the new stream's textures remain (the old set was released at the swap).
        let textures = view.handles.records.filter { $0.kind == .texture }
        #expect(textures.count == 2)
    }

    @Test func aVanishedSourceIsReconnectedEveryInterval() throws {
        let view = try CameraView()
        defer { view.close() }
        let road = InProcessSource(name: "road")
        let stream = StreamView(view: view, source: road, reconnectInterval: .milliseconds(200))
        let start = ContinuousClock.now
        road.publish(small)
        #expect(stream.update(now: start)?.frameID == 0)
        road.vanish()
        #expect(stream.update(now: start + .milliseconds(10))?.frameID == 0, "keeps showing the last frame")
        let attempts = road.connectAttempts
        #expect(stream.update(now: start + .milliseconds(100))?.frameID == 0)
        #expect(road.connectAttempts == attempts, "no retry before the interval")
        stream.update(now: start + .milliseconds(215))
        #expect(road.connectAttempts == attempts + 1)
        road.reappear()
        road.publish(large)
        stream.update(now: start + .milliseconds(300))
        #expect(road.connectAttempts == attempts + 1, "still waiting for the interval")
        #expect(stream.update(now: start + .milliseconds(420))?.frameID == 1)
        #expect(road.isConnected)
    }

    /// A source whose buffers are replaced (a restarted server, a camera streaming again):
    /// the stream view releases what the view made of the old ones before it shows a frame
    /// of the new, through `wait` and `update` alike, and keeps them otherwise.
    @Test func aNewBufferGenerationReleasesTheViewsObjectsOfTheOld() throws {
        let view = try CameraView()
        defer { view.close() }
        let road = InProcessSource(name: "road")
        let stream = StreamView(view: view, source: road)
        // Each frame a new one (a conversion the view already holds reads no textures).
        func textures() -> Set<HandleRecord> { Set(view.handles.records.filter { $0.kind == .texture }) }
        #expect(try stream.wait(timeout: .milliseconds(20)) == nil, "nothing published: the wait times out")
        road.publish(try TestFrames.gradient(width: 32, height: 24))
        _ = try view.render(try #require(try stream.wait(timeout: .seconds(1))).frame)
        let first = textures()
        road.publish(try TestFrames.gradient(width: 32, height: 24))
        _ = try view.render(try #require(try stream.wait(timeout: .seconds(1))).frame)
        #expect(textures() == first, "the same buffers: the same textures")
        road.vanish()
        road.reappear()
        road.publish(try TestFrames.gradient(width: 32, height: 24))
        _ = try view.render(try #require(try stream.wait(timeout: .seconds(1))).frame)
        let second = textures()
        #expect(second.count == 2 && second.isDisjoint(with: first), "a new generation: the old textures went")
        road.vanish()
        road.reappear()
        road.publish(try TestFrames.gradient(width: 32, height: 24))
        let now = ContinuousClock.now
        stream.update(now: now)  // finds the source gone
        let shown = try #require(stream.update(now: now + .seconds(1)), "reconnected after the interval")
        _ = try view.render(shown.frame)
        #expect(textures().count == 2 && textures().isDisjoint(with: second), "the same through update")
    }

    /// Replacing the source (the C API's connect) drops what was shown and the view's
    /// objects of it at once, and hands the old source back disconnected.
    @Test func replacingTheSourceReleasesAtOnce() throws {
        let view = try CameraView()
        defer { view.close() }
        let road = InProcessSource(name: "road"), driver = InProcessSource(name: "driver")
        let stream = StreamView(view: view)
        #expect(throws: CameraViewError.self) { try stream.wait(timeout: .milliseconds(10)) }
        stream.show(.memory(small))
        #expect(try view.render(try #require(stream.latest).frame) == render(small))
        #expect(stream.replaceSource(road) == nil)
        #expect(stream.latest == nil && view.handles.liveCount(of: .texture) == 0)
        road.publish(large)
        #expect(try stream.wait(timeout: .seconds(1))?.frameID == 0)
        _ = try view.render(try #require(stream.latest).frame)
        #expect(stream.replaceSource(driver) === road && !road.isConnected)
        #expect(stream.latest == nil && view.handles.liveCount(of: .texture) == 0)
    }

    @Test func fileSourceReadsSequencesThroughARing() throws {
        let frames = [small, try TestFrames.noise(layout: small.layout), small]
        let path = TestPaths.scratch + "/sequence-\(UUID().uuidString).nv12"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(frames.flatMap { frame in frame.withOwnBytes { [UInt8]($0) } })))
        let source = try FileSource(path: path, layout: small.layout, ringSize: 2)
        #expect(source.frameCount == 3)
        try source.connect()
        for (index, expected) in frames.enumerated() {
            let frame = try #require(try source.receive())
            #expect(frame.frameID == UInt64(index) && frame.bufferIndex == index % 2)
            guard case .memory(let nv12) = frame.frame else { Issue.record("not a memory frame"); continue }
            #expect(nv12.withOwnBytes { [UInt8]($0) } == expected.withOwnBytes { [UInt8]($0) })
        }
        #expect(try source.receive() == nil)
    }
}

/// At most `capacity` entries; making room forgets the least recently used one and hands
/// it back (for its owner to release). A producer may name buffers without end (a growing
/// index, a new file per frame): what a view keeps per buffer stays bounded all the same.
struct RecentlyUsedCache<Key: Hashable, Value> {
    let capacity: Int
    private var entries: [Key: (value: Value, lastUse: UInt64)] = [:]
    private var uses: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a cache holds at least one entry")
        self.capacity = capacity
    }

    var values: [Value] { entries.values.map(\.value) }

    /// The value for `key`, now the most recently used.
    mutating func value(for key: Key) -> Value? {
        guard let entry = entries[key] else { return nil }
        uses += 1
        entries[key] = (entry.value, uses)
        return entry.value
    }

    /// Stores `value` under `key`, returning what it replaced there and what was evicted to
    /// keep within `capacity` (both for the caller to release).
    mutating func insert(_ value: Value, for key: Key) -> [Value] {
        uses += 1
        var released = entries.updateValue((value, uses), forKey: key).map { [$0.value] } ?? []
        if entries.count > capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            released.append(entries.removeValue(forKey: oldest)!.value)
        }
        return released
    }

    /// Empties the cache, returning every value.
    mutating func removeAll() -> [Value] {
        defer { entries.removeAll() }
        return values
    }
}

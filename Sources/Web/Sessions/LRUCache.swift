/// A fixed-size least-recently-used cache: O(1) get, put and remove, with the
/// entries in one array linked by index (no per-entry allocation).
///
/// Inlinable, so each module that uses it (the catalog's products, the sessions) gets a copy
/// specialized for its key and value types: unspecialized, a product lookup went through the
/// runtime's generic witnesses, 2.6% of a cart page's worker CPU.
public struct LRUCache<Key: Hashable, Value> {
    @usableFromInline
    struct Entry {
        @usableFromInline var key: Key
        @usableFromInline var value: Value
        @usableFromInline var newer: Int
        @usableFromInline var older: Int

        @inlinable
        init(key: Key, value: Value, newer: Int, older: Int) {
            self.key = key
            self.value = value
            self.newer = newer
            self.older = older
        }
    }

    public let capacity: Int
    @usableFromInline var index: [Key: Int] = [:]
    @usableFromInline var entries: [Entry] = []
    @usableFromInline var newest = -1
    @usableFromInline var oldest = -1

    @inlinable
    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        index.reserveCapacity(min(self.capacity, 1 << 16))
    }

    @inlinable
    public var count: Int { index.count }

    @inlinable
    public mutating func get(_ key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        moveToFront(slot)
        return entries[slot].value
    }

    /// Whether `key` is cached, without touching its recency.
    @inlinable
    public func contains(_ key: Key) -> Bool { index[key] != nil }

    /// The cached value, without touching its recency.
    @inlinable
    public func peek(_ key: Key) -> Value? {
        index[key].map { entries[$0].value }
    }

    @inlinable
    public mutating func put(_ key: Key, _ value: Value) {
        guard capacity > 0 else { return }
        if let slot = index[key] {
            entries[slot].value = value
            moveToFront(slot)
            return
        }
        let slot: Int
        if entries.count < capacity {
            entries.append(Entry(key: key, value: value, newer: -1, older: -1))
            slot = entries.count - 1
        } else {
            // Reuse the oldest entry's slot.
            slot = oldest
            unlink(slot)
            index.removeValue(forKey: entries[slot].key)
            entries[slot] = Entry(key: key, value: value, newer: -1, older: -1)
        }
        index[key] = slot
        linkAtFront(slot)
    }

    /// Drops `key`; the last entry moves into its slot, so the storage stays dense.
    @inlinable
    public mutating func remove(_ key: Key) {
        guard let slot = index.removeValue(forKey: key) else { return }
        unlink(slot)
        // Move the last entry into the hole so slots stay dense.
        let last = entries.count - 1
        if slot != last {
            let moved = entries[last]
            entries[slot] = moved
            index[moved.key] = slot
            if moved.newer >= 0 { entries[moved.newer].older = slot } else { newest = slot }
            if moved.older >= 0 { entries[moved.older].newer = slot } else { oldest = slot }
        }
        entries.removeLast()
    }

    @inlinable
    public mutating func removeAll() {
        index.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        newest = -1
        oldest = -1
    }

    @inlinable
    mutating func moveToFront(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    @inlinable
    mutating func unlink(_ slot: Int) {
        let newer = entries[slot].newer, older = entries[slot].older
        if newer >= 0 { entries[newer].older = older } else { newest = older }
        if older >= 0 { entries[older].newer = newer } else { oldest = newer }
        entries[slot].newer = -1
        entries[slot].older = -1
    }

    @inlinable
    mutating func linkAtFront(_ slot: Int) {
        entries[slot].older = newest
        entries[slot].newer = -1
        if newest >= 0 { entries[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}

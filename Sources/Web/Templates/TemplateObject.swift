/// A template object's members, searched in a list by a cheap hash of each name.
///
/// Template objects are small (a page's context has about 20 members, a cart line 8) and are
/// built for one render. As `[String: TemplateValue]`, every member set and every lookup hashed
/// its name with SipHash, and a name is looked up in each context of the stack until one has it:
/// about 9% of the 3-line cart's instructions. Here a name is hashed with FNV-1a, once when it is
/// set and once when the template is parsed (`TemplateKey`), and a lookup compares integers
/// until one matches: the cart's page went from 215,000 to 196,500 instructions a request.
/// Names are not chosen by visitors, so nobody can make the hashes collide to slow a page down;
/// a collision costs only a string comparison.
public struct TemplateObject: ExpressibleByDictionaryLiteral {
    private struct Member {
        let key: TemplateKey
        var value: TemplateValue
    }

    private var members: [Member] = []

    public init() {}

    /// Built in one pass: a page makes about ten of these (each cart line, the cart summary, the
    /// user), and setting their names one at a time searched the list and grew it for each.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        members = elements.map { Member(key: TemplateKey($0.0), value: $0.1) }
        if members.count > 1 { keepLastOfRepeatedNames() }
    }

    /// The members of a dictionary (whose names are distinct, so none is searched for).
    public init(_ dictionary: [String: TemplateValue]) {
        members = dictionary.map { Member(key: TemplateKey($0.key), value: $0.value) }
    }

    /// A view-model's dictionary, each value converted (`TemplateValue.init`).
    init(converting dictionary: [String: Any]) {
        members = dictionary.map { Member(key: TemplateKey($0.key), value: TemplateValue($0.value)) }
    }

    public var count: Int { members.count }

    public mutating func reserveCapacity(_ capacity: Int) { members.reserveCapacity(capacity) }

    public subscript(name: String) -> TemplateValue? {
        get { self[TemplateKey(name)] }
        set { set(TemplateKey(name), newValue) }
    }

    subscript(key: TemplateKey) -> TemplateValue? {
        index(of: key).map { members[$0].value }
    }

    /// Sets each member of `other` here (over one of the same name), its name's hash reused.
    mutating func set(contentsOf other: TemplateObject) {
        for member in other.members { set(member.key, member.value) }
    }

    /// Sets (or, with nil, removes) a member; a name set again keeps its place.
    private mutating func set(_ key: TemplateKey, _ value: TemplateValue?) {
        switch (index(of: key), value) {
        case (let index?, let value?): members[index].value = value
        case (let index?, nil): members.remove(at: index)
        case (nil, let value?): members.append(Member(key: key, value: value))
        case (nil, nil): break
        }
    }

    /// A name given twice keeps its first place and its last value, as setting it again does.
    private mutating func keepLastOfRepeatedNames() {
        var index = 1
        while index < members.count {
            let key = members[index].key
            if let earlier = members[..<index].firstIndex(where: { $0.key.hash == key.hash && $0.key.name == key.name }) {
                members[earlier].value = members[index].value
                members.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    private func index(of key: TemplateKey) -> Int? {
        members.firstIndex { $0.key.hash == key.hash && $0.key.name == key.name }
    }
}

/// A member's name with its hash, computed once: by the parser for each part of a template's
/// `{{a.b}}`, by `TemplateObject` for each member it holds.
struct TemplateKey {
    let name: String
    let hash: UInt64

    init(_ name: String) {
        self.name = name
        // Over the bytes in place: iterating `utf8` cost about 90 instructions a name.
        self.hash = name.utf8.withContiguousStorageIfAvailable(TemplateKey.fnv1a) ?? TemplateKey.fnv1a(Array(name.utf8))
    }

    /// FNV-1a, 64 bits.
    private static func fnv1a<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

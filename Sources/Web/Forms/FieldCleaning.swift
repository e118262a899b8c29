import Foundation

extension FormField {
    /// What a form hands its field: the submitted text, the uploaded file, and
    /// whether the file input's "clear" checkbox (`<name>-clear`) was ticked.
    public struct Input: Sendable {
        public var text: String?
        public var file: UploadedFile?
        public var clear: Bool
        public init(text: String? = nil, file: UploadedFile? = nil, clear: Bool = false) {
            self.text = text
            self.file = file
            self.clear = clear
        }
    }

    public struct Errors: Error, Equatable {
        public var messages: [String]
        init(_ messages: [String]) { self.messages = messages }
        init(_ message: String) { messages = [message] }
    }

    static let invalidImage = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."

    /// Django's `Field.clean`: to_python (text to a typed value), validate
    /// (required, choices), then every validator, collecting all their messages.
    /// `initial` is what an unchanged file field keeps.
    public func clean(_ input: Input, initial: FormValue = .null) -> Result<FormValue, Errors> {
        if case .image(let maxBytes) = kind { return cleanImage(input, initial: initial, maxBytes: maxBytes) }
        let value: FormValue
        switch toPython(input.text) {
        case .success(let typed): value = typed
        case .failure(let error): return .failure(error)
        }
        if let message = validate(value) { return .failure(Errors(message)) }
        if value.isEmpty { return .success(value) }
        let messages = builtInMessages(value, text: input.text ?? "") + validators.compactMap { $0.check(value) }
        guard messages.isEmpty else { return .failure(Errors(messages)) }
        if case .intChoice = kind, let text = value.string { return .success(.int(Int(text)!)) }
        return .success(value)
    }

    /// to_python: the submitted text (nil when absent) as this field's type.
    func toPython(_ text: String?) -> Result<FormValue, Errors> {
        switch kind {
        case .text, .email, .slug:
            let raw = text ?? ""
            return .success(.string(strip ? raw.trimmingCharacters(in: .whitespacesAndNewlines) : raw))
        case .integer:
            let raw = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if raw.isEmpty { return .success(.null) }
            guard let number = FormField.wholeNumber(raw) else { return .failure(Errors("Enter a whole number.")) }
            return .success(.int(number))
        case .decimal(let maxDigits, let places, _, _):
            let raw = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if raw.isEmpty { return .success(.null) }
            guard let parsed = DecimalText(raw) else { return .failure(Errors("Enter a number.")) }
            guard let number = parsed.decimal else {
                // Beyond what Decimal holds: only ever too many digits for a real column.
                return .failure(Errors(Validators.decimal(maxDigits: maxDigits, decimalPlaces: places, parsed) ?? "Enter a number."))
            }
            return .success(.decimal(number))
        case .choice, .intChoice:
            return .success(.string(text ?? ""))
        case .modelChoice(let rows):
            let raw = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if raw.isEmpty { return .success(.null) }
            guard let id = FormField.wholeNumber(raw), rows.ids.contains(id) else {
                return .failure(Errors("Select a valid choice. That choice is not one of the available choices."))
            }
            return .success(.int(id))
        case .boolean(let strict):
            switch text?.lowercased() {
            case nil, "", "false": return .success(.bool(false))
            case "true": return .success(.bool(true))
            case "0" where !strict: return .success(.bool(false))
            case let other?:
                if strict { return .failure(Errors("Select a valid choice. \(other) is not one of the available choices.")) }
                return .success(.bool(true))
            }
        case .image:
            return .success(.null)
        }
    }

    /// validate: required, and a choice must be one offered.
    func validate(_ value: FormValue) -> String? {
        if case .bool(let checked) = value { return required && !checked ? Validators.required : nil }
        if value.isEmpty { return required ? Validators.required : nil }
        switch kind {
        case .choice(let choices), .intChoice(let choices):
            let text = value.string ?? ""
            guard choices.contains(where: { $0.value == text }) else {
                return "Select a valid choice. \(text) is not one of the available choices."
            }
        default: break
        }
        return nil
    }

    /// The validators each kind carries, in Django's order (its default validators first).
    func builtInMessages(_ value: FormValue, text: String) -> [String] {
        var messages: [String?] = []
        switch (kind, value) {
        case (.text(let max, let min), .string(let string)):
            messages = [min.flatMap { Validators.minLength($0, string) }, max.flatMap { Validators.maxLength($0, string) },
                        Validators.noNullCharacters(string)]
        case (.email(let max), .string(let string)):
            messages = [Validators.email(string), max.flatMap { Validators.maxLength($0, string) }, Validators.noNullCharacters(string)]
        case (.slug(let max), .string(let string)):
            messages = [Validators.slug(string), max.flatMap { Validators.maxLength($0, string) }, Validators.noNullCharacters(string)]
        case (.integer(let min, let max), .int(let number)):
            messages = [max.flatMap { Validators.maxValue($0, number) }, min.flatMap { Validators.minValue($0, number) }]
        case (.decimal(let maxDigits, let places, let min, let max), .decimal(let number)):
            let parsed = DecimalText(text.trimmingCharacters(in: .whitespacesAndNewlines))
            messages = [max.flatMap { Validators.maxValue($0, number) }, min.flatMap { Validators.minValue($0, number) },
                        parsed.flatMap { Validators.decimal(maxDigits: maxDigits, decimalPlaces: places, $0) }]
        default: break
        }
        return messages.compactMap { $0 }
    }

    /// FileField.clean + ImageField.to_python: a new file, the initial one kept, or cleared.
    func cleanImage(_ input: Input, initial: FormValue, maxBytes: Int) -> Result<FormValue, Errors> {
        if input.file != nil && input.clear {
            return .failure(Errors("Please either submit a file or check the clear checkbox, not both."))
        }
        if input.clear && !required { return .success(.null) }
        guard let file = input.file else {
            if !initial.isEmpty { return .success(initial) }
            return required ? .failure(Errors(Validators.required)) : .success(.null)
        }
        if file.size == 0 { return .failure(Errors("The submitted file is empty.")) }
        if file.size > maxBytes {
            return .failure(Errors("Ensure this file has at most \(maxBytes) bytes (it has \(file.size))."))
        }
        guard ImageKind(sniffing: file.data) != nil else { return .failure(Errors(FormField.invalidImage)) }
        let messages = validators.compactMap { $0.check(.file(file)) }
        return messages.isEmpty ? .success(.file(file)) : .failure(Errors(messages))
    }

    /// Django's `has_changed`: does the submitted input differ from the initial value?
    public func hasChanged(_ input: Input, initial: FormValue) -> Bool {
        if isFile { return input.file != nil || input.clear }
        guard case .success(let value) = toPython(input.text) else { return true }
        switch (value, initial) {
        case (.decimal(let new), .decimal(let old)): return new != old
        case (.bool(let new), _): return new != (initial.bool ?? false)
        default: return value.displayText != initial.displayText
        }
    }

    /// Python's `int()` on a stripped string, in ASCII: an optional sign and digits;
    /// Django's IntegerField also drops a trailing `.0…`. Nil when not a whole number or beyond Int.
    static func wholeNumber(_ text: String) -> Int? {
        var text = Substring(text)
        if let dot = text.lastIndex(of: "."), text[text.index(after: dot)...].allSatisfy({ $0 == "0" }) {
            text = text[..<dot]
        }
        let body = text.first == "+" || text.first == "-" ? text.dropFirst() : text
        guard !body.isEmpty, body.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(text)
    }
}

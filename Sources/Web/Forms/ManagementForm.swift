/// Django's formset management form: `<prefix>-TOTAL_FORMS` and `-INITIAL_FORMS`
/// say how many rows were sent and how many of them edit existing objects;
/// `-MIN_NUM_FORMS`/`-MAX_NUM_FORMS` are drawn for the browser's scripts and ignored on POST.
public struct ManagementForm: Sendable {
    public static let totalForms = "TOTAL_FORMS"
    public static let initialForms = "INITIAL_FORMS"
    public static let minNumForms = "MIN_NUM_FORMS"
    public static let maxNumForms = "MAX_NUM_FORMS"

    /// 0 when the management form is invalid (then `missingFields` is not empty).
    public let totalFormCount: Int
    public let initialFormCount: Int
    /// The prefixed names of the fields that were missing or bad, for the error.
    public let missingFields: [String]

    public var isValid: Bool { missingFields.isEmpty }

    /// The two counts checked on POST: whole numbers, never negative (a count
    /// below zero is tampering too). MIN/MAX_NUM_FORMS are not read back.
    static func form(prefix: String) -> Form {
        Form([
            .integer(totalForms, min: 0, widget: .hidden),
            .integer(initialForms, min: 0, widget: .hidden),
        ], prefix: prefix)
    }

    public init(data: FormData, prefix: String) {
        let bound = ManagementForm.form(prefix: prefix).bind(data)
        missingFields = bound.form.fields.filter { bound.errors[$0.name] != nil }.map { bound.form.htmlName($0.name) }
        let valid = missingFields.isEmpty
        totalFormCount = valid ? bound[ManagementForm.totalForms]?.int ?? 0 : 0
        initialFormCount = valid ? bound[ManagementForm.initialForms]?.int ?? 0 : 0
    }

    /// Django's "missing_management_form" message.
    public var error: String? {
        guard !missingFields.isEmpty else { return nil }
        return "ManagementForm data is missing or has been tampered with. Missing fields: "
            + missingFields.joined(separator: ", ") + ". You may need to file a bug report if the issue persists."
    }
}

/// What a logic-less template gets for a form: every value computed, every condition a Bool.
extension BoundForm {
    /// - `fields`: each field's view-model (below), in order; `visible_fields`, `hidden_fields`.
    /// - `field`: the same by field name (`{{#form.field.email}}…{{/form.field.email}}`).
    /// - `non_field_errors` `[{text}]`, `has_non_field_errors`, `non_field_errors_html`.
    /// - `has_errors`, `is_bound`, `prefix`.
    public var viewModel: [String: Any] {
        let fields = form.fields.map(fieldViewModel)
        var byName: [String: Any] = [:]
        for (field, model) in zip(form.fields, fields) { byName[field.name] = model }
        return [
            "fields": fields,
            "visible_fields": zip(form.fields, fields).filter { $0.0.widget != .hidden }.map(\.1),
            "hidden_fields": zip(form.fields, fields).filter { $0.0.widget == .hidden }.map(\.1),
            "field": byName,
            "non_field_errors": ErrorList.items(nonFieldErrors),
            "has_non_field_errors": !nonFieldErrors.isEmpty,
            "non_field_errors_html": ErrorList.html(nonFieldErrors, extraClass: "nonfield"),
            "has_errors": hasErrors,
            "is_bound": isBound,
            "prefix": form.prefix ?? "",
        ]
    }

    /// One field: `name` (the input's name, prefixed), `field_name`, `id` (`id_<name>`),
    /// `label`, `value` (the text to show; the template escapes it), `errors` `[{text}]`,
    /// `has_errors`, `errors_html` (Django's `<ul class="errorlist" id="…_error">`),
    /// `error_id`, `required`, `required_attribute` (draw `required`: not in formset rows), `input_type`, `is_text`, `is_checkbox`, `is_select`,
    /// `is_textarea`, `is_file`, `is_hidden`, `checked`, `options` `[{value, label, selected}]`,
    /// `max_length`/`has_max_length`, `help_text`/`has_help_text`, and for a file
    /// `current_file`/`has_current_file` (the initial value, e.g. the stored image path).
    public func fieldViewModel(_ field: FormField) -> [String: Any] {
        let name = form.htmlName(field.name)
        let id = "id_" + name
        let messages = errors[field.name] ?? []
        let value = displayValue(field)
        let checked: Bool = field.isBoolean
            ? (isBound ? field.toPython(inputs[field.name]?.text).success?.bool ?? false : initialValue(field).bool ?? false)
            : false
        var model: [String: Any] = [
            "name": name,
            "field_name": field.name,
            "id": id,
            "label": field.label,
            "value": value,
            "errors": ErrorList.items(messages),
            "has_errors": !messages.isEmpty,
            "errors_html": ErrorList.html(messages, fieldID: id),
            "error_id": id + "_error",
            "required": field.required,
            "required_attribute": field.required && useRequiredAttribute && !field.isBoolean && !field.isFile,
            "input_type": field.widget.rawValue,
            "is_text": ![.select, .checkbox, .textarea, .file, .hidden].contains(field.widget),
            "is_checkbox": field.widget == .checkbox,
            "is_select": field.widget == .select,
            "is_textarea": field.widget == .textarea,
            "is_file": field.widget == .file,
            "is_hidden": field.widget == .hidden,
            "checked": checked,
            "help_text": field.helpText,
            "has_help_text": !field.helpText.isEmpty,
            "has_max_length": field.maxLength != nil,
        ]
        if let maxLength = field.maxLength { model["max_length"] = maxLength }
        if field.widget == .select {
            var options: [[String: Any]] = []
            if field.offersEmptyChoice(initial: initialValue(field)) {
                options.append(["value": "", "label": "---------", "selected": value.isEmpty])
            }
            options += field.choices.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] }
            model["options"] = options
        }
        if field.isFile {
            let current = initialValue(field).string ?? ""
            model["current_file"] = current
            model["has_current_file"] = !current.isEmpty
            model["clear_name"] = name + "-clear"
        }
        return model
    }
}

extension FormField {
    /// ModelChoiceField's "---------" option: shown unless the field is required and has an initial value.
    func offersEmptyChoice(initial: FormValue) -> Bool {
        guard case .modelChoice = kind else { return false }
        return !required || initial.isEmpty
    }
}

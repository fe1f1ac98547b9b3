/// What a cached conversion holds: one picture in one colour description (the external
/// path bakes it into the image rather than the plan's uniforms), converted as one plan says.
struct ConversionKey: Equatable {
    let generation: UInt64
    let color: ColorDescription
    let plan: ConversionPlan

    /// Whether `cached` is this conversion (compared without allocating: every render asks).
    func isHeld(in cached: ConversionKey?) -> Bool {
        guard let cached else { return false }
        return cached.generation == generation && cached.color == color && cached.plan.sameConversion(as: plan)
    }
}

// Luma and chroma each interpolated at their true sample positions (chroma sited by
// u_chromaOrigin), edges clamped.

// Bilinear between the four samples of `plane` around `position` (in sample indices).
vec2 bilinear(int plane, vec2 position) {
    ivec2 last = planeSize(plane) - 1;
    vec2 base = floor(position);
    vec2 weight = position - base;
    ivec2 a = clamp(ivec2(base), ivec2(0), last), b = clamp(ivec2(base) + 1, ivec2(0), last);
    return mix(mix(planeAt(plane, a), planeAt(plane, ivec2(b.x, a.y)), weight.x),
               mix(planeAt(plane, ivec2(a.x, b.y)), planeAt(plane, b), weight.x), weight.y);
}

void main() {
    vec2 framePos = v_framePos.xy / v_framePos.z;
    if (paintedBars(framePos)) return;
    // Sample i of a plane sits at frame position origin + i * spacing.
    fragColor = toRGBA(bilinear(0, framePos - 0.5).x, bilinear(1, (framePos - u_chromaOrigin) * 0.5));
}

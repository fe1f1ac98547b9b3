// The average of every sample box under the pixel's footprint (the bounding box of its
// image in the frame), weighted by overlap, clamped to the plane.

// The samples of `plane` whose boxes ([i, i + 1) in sample indices) overlap [low, high),
// weighted by the overlap.
vec2 box(int plane, vec2 low, vec2 high) {
    vec2 size = vec2(planeSize(plane));
    low = clamp(low, vec2(0.0), size);
    high = clamp(high, vec2(0.0), size);
    ivec2 first = ivec2(floor(low)), last = ivec2(ceil(high)) - 1;
    vec2 sum = vec2(0.0);
    float area = 0.0;
    for (int row = first.y; row <= last.y; row++) {
        float wy = min(high.y, float(row + 1)) - max(low.y, float(row));
        for (int column = first.x; column <= last.x; column++) {
            float weight = (min(high.x, float(column + 1)) - max(low.x, float(column))) * wy;
            sum += weight * planeAt(plane, ivec2(column, row));
            area += weight;
        }
    }
    return sum / area;
}

void main() {
    vec2 framePos = v_framePos.xy / v_framePos.z;
    // The footprint, taken before any branch (derivatives need all four fragments of a
    // quad): half the bounding box of the pixel's image.
    vec2 halfFootprint = 0.5 * (abs(dFdx(framePos)) + abs(dFdy(framePos)));
    if (paintedBars(framePos)) return;
    // Luma box i spans frame [i, i + 1); chroma box i spans 2 pixels about its site.
    vec2 low = framePos - halfFootprint, high = framePos + halfFootprint;
    fragColor = toRGBA(box(0, low, high).x, box(1, (low - u_chromaOrigin) * 0.5 + 0.5, (high - u_chromaOrigin) * 0.5 + 0.5));
}

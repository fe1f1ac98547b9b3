// The packed upload at exactly a quarter of the frame's size with the area filter: one
// fetch per row of a pixel's 4x4 luma block. Output pixel i averages luma 4i..4i+3 of four
// rows: texel i of each. Chroma boxes (two pixels about their site o) 2i, 2i+1 and 2i+2
// overlap its footprint by 1 + o, 2 and 1 - o pixels, per axis; a box past the plane's
// edge drops out and the rest are renormalised, as the box model clips the footprint.
float quarterLuma(ivec2 pixel) {
    ivec2 texel = ivec2(pixel.x, 4 * pixel.y);
    uvec4 sum = texelFetch(u_luma, texel, 0) + texelFetch(u_luma, texel + ivec2(0, 1), 0)
              + texelFetch(u_luma, texel + ivec2(0, 2), 0) + texelFetch(u_luma, texel + ivec2(0, 3), 0);
    return float(sum.r + sum.g + sum.b + sum.a) * (1.0 / 16.0);
}

// One chroma row across the three boxes: samples 2i and 2i+1 are texel i, 2i+2 is the
// first sample of texel i+1 (clamped to the row; its weight is 0 past the edge).
vec2 quarterChromaRow(int texel, int row, vec3 across, int lastTexel) {
    uvec4 here = texelFetch(u_chroma, ivec2(texel, row), 0);
    uvec4 next = texelFetch(u_chroma, ivec2(min(texel + 1, lastTexel), row), 0);
    return across.x * vec2(here.rg) + across.y * vec2(here.ba) + across.z * vec2(next.rg);
}

vec2 quarterChroma(ivec2 pixel) {
    ivec2 samples = ivec2(u_frameSize) / 2;  // the frame is whole texels: even in both axes
    vec3 across = vec3(1.0 + u_chromaOrigin.x, 2.0, 2 * pixel.x + 2 < samples.x ? 1.0 - u_chromaOrigin.x : 0.0);
    vec3 down = vec3(1.0 + u_chromaOrigin.y, 2.0, 2 * pixel.y + 2 < samples.y ? 1.0 - u_chromaOrigin.y : 0.0);
    across /= across.x + across.y + across.z;
    down /= down.x + down.y + down.z;
    int lastTexel = samples.x / 2 - 1, row = 2 * pixel.y;
    return down.x * quarterChromaRow(pixel.x, row, across, lastTexel)
         + down.y * quarterChromaRow(pixel.x, row + 1, across, lastTexel)
         + down.z * quarterChromaRow(pixel.x, min(row + 2, samples.y - 1), across, lastTexel);
}

void main() {
    vec2 framePos = v_framePos.xy / v_framePos.z;
    if (paintedBars(framePos)) return;
    // Pixel centres fall at 4i + 2: two frame pixels from either neighbour's block.
    ivec2 pixel = ivec2(framePos) / 4;
    fragColor = toRGBA(quarterLuma(pixel), quarterChroma(pixel));
}

// Half size in both axes: output pixel i averages luma 2i, 2i+1 of rows 2r, 2r+1, and the
// chroma boxes under that 2x2 block: samples i and i+1 across, rows r and r+1 down, with
// these weights (from the siting; the next sample or row is clamped to the plane).
uniform vec4 u_halfWeights;    // (this, next) across, (this, next) down
uniform int u_lumaLastRow;
uniform int u_chromaLastRow;

// Chroma row `row` (clamped) blended across for output pixels 4x..4x+3: samples
// 4x..4x+4 (the last clamped to the plane), as chroma terms.
mat4x3 halfChromaRow(int column, int row) {
    int lastTexel = textureSize(u_chroma, 0).x - 1;
    row = clamp(row, 0, u_chromaLastRow);
    uvec4 first = texelFetch(u_chroma, ivec2(2 * column, row), 0);
    uvec4 second = texelFetch(u_chroma, ivec2(2 * column + 1, row), 0);
    bool inside = 2 * column + 2 <= lastTexel;
    uvec4 third = texelFetch(u_chroma, ivec2(min(2 * column + 2, lastTexel), row), 0);
    vec3 t0 = chromaTerms(vec2(first.rg)), t1 = chromaTerms(vec2(first.ba));
    vec3 t2 = chromaTerms(vec2(second.rg)), t3 = chromaTerms(vec2(second.ba));
    vec3 t4 = inside ? chromaTerms(vec2(third.rg)) : t3;
    float a = u_halfWeights.x, b = u_halfWeights.y;
    return mat4x3(a * t0 + b * t1, a * t1 + b * t2, a * t2 + b * t3, a * t3 + b * t4);
}

// Output row `row` of the block: each pixel's 2x2 luma average and blended chroma.
uvec4 convertHalf(int column, int row, mat4x3 here, mat4x3 below) {
    int top = min(2 * row, u_lumaLastRow), bottom = min(2 * row + 1, u_lumaLastRow);
    uvec4 s0 = texelFetch(u_luma, ivec2(2 * column, top), 0) + texelFetch(u_luma, ivec2(2 * column, bottom), 0);
    uvec4 s1 = texelFetch(u_luma, ivec2(2 * column + 1, top), 0) + texelFetch(u_luma, ivec2(2 * column + 1, bottom), 0);
    vec4 luma = vec4(ivec4(s0.r + s0.g, s0.b + s0.a, s1.r + s1.g, s1.b + s1.a)) * 0.25;
    return convertEach(luma, here * u_halfWeights.z + below * u_halfWeights.w);
}

// Each chroma row is fetched once: output row r needs chroma rows r and r + 1.
void main() {
    ivec2 block = ivec2(gl_FragCoord.xy);
    int first = block.y * ROWS;
    mat4x3 c0 = halfChromaRow(block.x, first), c1 = halfChromaRow(block.x, first + 1);
    rows[0] = convertHalf(block.x, first, c0, c1);
    mat4x3 c2 = halfChromaRow(block.x, first + 2);
    rows[1] = convertHalf(block.x, first + 1, c1, c2);
    mat4x3 c3 = halfChromaRow(block.x, first + 3);
    rows[2] = convertHalf(block.x, first + 2, c2, c3);
    mat4x3 c4 = halfChromaRow(block.x, first + 4);
    rows[3] = convertHalf(block.x, first + 3, c3, c4);
#if ROWS == 8
    mat4x3 c5 = halfChromaRow(block.x, first + 5);
    rows[4] = convertHalf(block.x, first + 4, c4, c5);
    mat4x3 c6 = halfChromaRow(block.x, first + 6);
    rows[5] = convertHalf(block.x, first + 5, c5, c6);
    mat4x3 c7 = halfChromaRow(block.x, first + 7);
    rows[6] = convertHalf(block.x, first + 6, c6, c7);
    mat4x3 c8 = halfChromaRow(block.x, first + 8);
    rows[7] = convertHalf(block.x, first + 7, c7, c8);
#endif
}

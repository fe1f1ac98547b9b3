#version 300 es
// The fast path for a frame drawn at its own size with no transform: each fragment makes
// four pixels in each of ROWS rows (ROWS is defined when compiled: 8, or 4 where the
// device has fewer draw buffers). Y and UV are uploaded as RGBA8UI (four bytes per texel:
// Y0..Y3, and U0 V0 U1 V1 for those four pixels' two chroma samples). Row r of the
// fragment's block goes to draw buffer r, an RGBA32UI target whose texel is four RGBA8
// pixels packed; reading the targets back interleaved gives RGBA8 rows byte for byte.
// On llvmpipe fewer, fatter fragments draw faster; what remains is mostly the texel
// fetches (each an AVX2 gather), 12 per 32 pixels: one chroma fetch serves two rows.
// With CHROMA_LINEAR defined, chroma is interpolated bilinearly at its siting instead of
// repeated: at 1:1 every pixel's chroma is a fixed blend of the samples around it, so the
// weights come in as uniforms (u_chromaWeightsX per pixel of a texel, u_evenRowWeights /
// u_oddRowWeights per row of a chroma row pair) and the shader has no branches; 26
// fetches per 32 pixels.
precision highp float;
precision highp int;
precision highp usampler2D;

uniform usampler2D u_luma;     // RGBA8UI, width/4 x height (rounded up to ROWS)
uniform usampler2D u_chroma;   // RGBA8UI, width/4 x height/2 (rounded up to ROWS/2)
// Output codes straight from input codes (OutputCodeCoefficients): range scaling, offsets
// and the rounding 0.5 are folded in, so each output channel costs one add, a truncation
// and an integer clamp per pixel (trunc(clamp(v, 0, 255.5)) == clamp(trunc(v), 0, 255),
// and integer min/max skip the NaN handling llvmpipe gives float ones).
uniform float u_lumaScale;     // the same for R, G and B, as is u_bias
uniform vec3 u_cbScale;        // R, G, B per Cb code
uniform vec3 u_crScale;        // R, G, B per Cr code
uniform float u_bias;          // output code at Y = 0, Cb = Cr = 128, plus 0.5

#ifdef AREA_HALF
// Half size in both axes: output pixel i averages luma 2i, 2i+1 of rows 2r, 2r+1, and the
// chroma boxes under that 2x2 block: samples i and i+1 across, rows r and r+1 down, with
// these weights (from the siting; the next sample or row is clamped to the plane).
uniform vec4 u_halfWeights;    // (this, next) across, (this, next) down
uniform int u_lumaLastRow;
uniform int u_chromaLastRow;
#endif

#ifdef CHROMA_LINEAR
// Column p: the weights of chroma samples 2x-1, 2x, 2x+1, 2x+2 for pixel 4x+p.
uniform mat4 u_chromaWeightsX;
// The weights of chroma rows k-1, k, k+1 for luma rows 2k and 2k+1.
uniform vec3 u_evenRowWeights;
uniform vec3 u_oddRowWeights;
uniform int u_chromaLastRow;
#endif

layout(location = 0) out uvec4 rows[ROWS];  // four RGBA8 pixels each, R in each uint's lowest byte

// Four pixels of one row; `first` and `second` are the chroma terms of pixels 0-1 and 2-3.
// Conversions go through ivec4: x86 converts signed integers to and from float in one
// instruction, unsigned ones in several.
uvec4 convert(uvec4 luma, vec3 first, vec3 second) {
    vec4 y = vec4(ivec4(luma)) * u_lumaScale;
    uvec4 red = uvec4(clamp(ivec4(y + vec4(first.rr, second.rr)), 0, 255));
    uvec4 green = uvec4(clamp(ivec4(y + vec4(first.gg, second.gg)), 0, 255));
    uvec4 blue = uvec4(clamp(ivec4(y + vec4(first.bb, second.bb)), 0, 255));
    return red | (green << 8) | (blue << 16) | uvec4(0xff000000u);
}

#if defined(CHROMA_LINEAR) || defined(AREA_HALF)
// Four pixels of one row, each with its own chroma terms (columns of `terms`: R, G, B
// of pixels 0..3); `luma` in codes (fractional where averaged).
uvec4 convertEach(vec4 luma, mat4x3 terms) {
    vec4 y = luma * u_lumaScale;
    mat3x4 perChannel = transpose(terms);
    uvec4 red = uvec4(clamp(ivec4(y + perChannel[0]), 0, 255));
    uvec4 green = uvec4(clamp(ivec4(y + perChannel[1]), 0, 255));
    uvec4 blue = uvec4(clamp(ivec4(y + perChannel[2]), 0, 255));
    return red | (green << 8) | (blue << 16) | uvec4(0xff000000u);
}

vec3 chromaTerms(vec2 codes) {
    vec2 centred = codes - 128.0;
    return u_bias + centred.x * u_cbScale + centred.y * u_crScale;
}
#endif

#ifdef AREA_HALF
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
#elif defined(CHROMA_LINEAR)

// Chroma row `row` (clamped to the plane) interpolated horizontally: the chroma terms of
// the block's four pixels, as columns.
mat4x3 chromaRow(int column, int row) {
    int lastColumn = textureSize(u_chroma, 0).x - 1;
    row = clamp(row, 0, u_chromaLastRow);
    uvec4 left = texelFetch(u_chroma, ivec2(max(column - 1, 0), row), 0);
    uvec4 centre = texelFetch(u_chroma, ivec2(column, row), 0);
    uvec4 right = texelFetch(u_chroma, ivec2(min(column + 1, lastColumn), row), 0);
    // Samples 2x-1 and 2x+2, clamped to the plane's first and last sample.
    vec2 before = vec2(column > 0 ? left.ba : centre.rg);
    vec2 after = vec2(column < lastColumn ? right.rg : centre.ba);
    mat4x3 samples = mat4x3(chromaTerms(before), chromaTerms(vec2(centre.rg)), chromaTerms(vec2(centre.ba)), chromaTerms(after));
    return mat4x3(samples * u_chromaWeightsX[0], samples * u_chromaWeightsX[1],
                  samples * u_chromaWeightsX[2], samples * u_chromaWeightsX[3]);
}

// Block rows 2 pair and 2 pair + 1 from chroma rows k - 1, k and k + 1 (each
// interpolated horizontally already), blended per row.
void convertPair(ivec2 block, int pair, mat4x3 above, mat4x3 here, mat4x3 below, out uvec4 upper, out uvec4 lower) {
    mat4x3 even = above * u_evenRowWeights.x + here * u_evenRowWeights.y + below * u_evenRowWeights.z;
    mat4x3 odd = above * u_oddRowWeights.x + here * u_oddRowWeights.y + below * u_oddRowWeights.z;
    int top = block.y * ROWS + pair * 2;
    upper = convertEach(vec4(ivec4(texelFetch(u_luma, ivec2(block.x, top), 0))), even);
    lower = convertEach(vec4(ivec4(texelFetch(u_luma, ivec2(block.x, top + 1), 0))), odd);
}

// Each chroma row is fetched and interpolated once and serves the pairs beside it.
void main() {
    ivec2 block = ivec2(gl_FragCoord.xy);
    int first = block.y * (ROWS / 2);
    mat4x3 row0 = chromaRow(block.x, first - 1), row1 = chromaRow(block.x, first), row2 = chromaRow(block.x, first + 1);
    convertPair(block, 0, row0, row1, row2, rows[0], rows[1]);
    mat4x3 row3 = chromaRow(block.x, first + 2);
    convertPair(block, 1, row1, row2, row3, rows[2], rows[3]);
#if ROWS == 8
    mat4x3 row4 = chromaRow(block.x, first + 3);
    convertPair(block, 2, row2, row3, row4, rows[4], rows[5]);
    mat4x3 row5 = chromaRow(block.x, first + 4);
    convertPair(block, 3, row3, row4, row5, rows[6], rows[7]);
#endif
}
#else
// Block rows 2 pair and 2 pair + 1, which share a chroma row.
void convertPair(ivec2 block, int pair, out uvec4 upper, out uvec4 lower) {
    uvec4 chroma = texelFetch(u_chroma, ivec2(block.x, block.y * (ROWS / 2) + pair), 0);
    // The chroma part of each output code, once per chroma sample.
    vec4 samples = vec4(ivec4(chroma) - 128);  // centred, exact: smaller terms round less
    vec3 first = u_bias + samples.r * u_cbScale + samples.g * u_crScale;
    vec3 second = u_bias + samples.b * u_cbScale + samples.a * u_crScale;
    int top = block.y * ROWS + pair * 2;
    upper = convert(texelFetch(u_luma, ivec2(block.x, top), 0), first, second);
    lower = convert(texelFetch(u_luma, ivec2(block.x, top + 1), 0), first, second);
}

// Written out rather than looped: Mesa 22.3 does not unroll a loop over the outputs, and
// the loop draws 2.5x slower.
void main() {
    ivec2 block = ivec2(gl_FragCoord.xy);
    convertPair(block, 0, rows[0], rows[1]);
    convertPair(block, 1, rows[2], rows[3]);
#if ROWS == 8
    convertPair(block, 2, rows[4], rows[5]);
    convertPair(block, 3, rows[6], rows[7]);
#endif
}
#endif

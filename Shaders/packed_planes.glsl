// The fast path for a frame drawn at its own size with no transform: each fragment makes
// four pixels in each of ROWS rows (ROWS is defined when compiled: 8, or 4 where the
// device has fewer draw buffers). Y and UV are uploaded as RGBA8UI (four bytes per texel:
// Y0..Y3, and U0 V0 U1 V1 for those four pixels' two chroma samples). Row r of the
// fragment's block goes to draw buffer r, an RGBA32UI target whose texel is four RGBA8
// pixels packed; reading the targets back interleaved gives RGBA8 rows byte for byte.
// On llvmpipe fewer, fatter fragments draw faster; what remains is mostly the texel
// fetches (each an AVX2 gather), 12 per 32 pixels: one chroma fetch serves two rows.
// In packed_linear, chroma is interpolated bilinearly at its siting instead of
// repeated: at 1:1 every pixel's chroma is a fixed blend of the samples around it, so the
// weights come in as uniforms (u_chromaWeightsX per pixel of a texel, u_evenRowWeights /
// u_oddRowWeights per row of a chroma row pair) and the shader has no branches; 26
// fetches per 32 pixels.
// This part is shared; each variant adds its own main: packed_nearest (chroma repeated),
// packed_linear and packed_half (area at exactly half size).
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

// Chroma repeated over the two pixels and rows it covers: exact codes.

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

// Column p: the weights of chroma samples 2x-1, 2x, 2x+1, 2x+2 for pixel 4x+p.
uniform mat4 u_chromaWeightsX;
// The weights of chroma rows k-1, k, k+1 for luma rows 2k and 2k+1.
uniform vec3 u_evenRowWeights;
uniform vec3 u_oddRowWeights;
uniform int u_chromaLastRow;

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

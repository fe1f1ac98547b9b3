// Nearest at any affine placement (scaled, mirrored, zoomed, letterboxed), for a display
// cache on a software rasterizer: each fragment makes four pixels in each of ROWS rows, as
// the other packed programs do, but every pixel finds its own luma and chroma samples where
// the placement puts its centre. On llvmpipe a per-pixel program spends most of its time per
// fragment, not per fetch: 32 pixels a fragment draw several times faster.
uniform mat3 u_outputToFrame;  // output pixel position (homogeneous, affine) -> frame position
uniform vec2 u_frameSize;
uniform vec4 u_barColor;       // letterbox bars: opaque or transparent black
uniform bool u_blueFirst;      // the cache's bytes are B, G, R, A (else R, G, B, A)
// The per-pixel programs' conversion (toRGBA in nv12_planes.glsl), rounded to codes as a
// unorm framebuffer rounds what they write (to nearest, ties to even): the same codes, so a
// frame placed here and through a per-pixel program gives the same image.
uniform mat3 u_yuvToRgb;
uniform vec3 u_yuvOffset;

// Sample x of a luma row is component x % 4 of texel x / 4; chroma pair x of texel x / 2.
// Clamped into the frame, so pixels in the bars fetch inside the textures too.
uint pixel(vec2 framePos) {
    ivec2 lumaAt = clamp(ivec2(framePos + 1.0 / 1024.0), ivec2(0), ivec2(u_frameSize) - 1);
    ivec2 chromaAt = lumaAt >> 1;
    float luma = float(int(texelFetch(u_luma, ivec2(lumaAt.x >> 2, lumaAt.y), 0)[lumaAt.x & 3]));
    uvec4 pairs = texelFetch(u_chroma, ivec2(chromaAt.x >> 1, chromaAt.y), 0);
    vec2 chroma = vec2(ivec2((chromaAt.x & 1) == 0 ? pairs.rg : pairs.ba));
    uvec3 rgb = uvec3(roundEven(clamp(u_yuvToRgb * (vec3(luma, chroma) - u_yuvOffset), 0.0, 1.0) * 255.0));
    uvec3 ordered = u_blueFirst ? rgb.bgr : rgb;
    bool inside = all(greaterThanEqual(framePos, vec2(0.0))) && all(lessThan(framePos, u_frameSize));
    return inside ? ordered.x | (ordered.y << 8) | (ordered.z << 16) | 0xff000000u : uint(u_barColor.a * 255.0) << 24;
}

// Row `row` of the fragment's block: four pixels a step of the placement apart.
uvec4 blockRow(vec2 first, vec2 step) {
    return uvec4(pixel(first), pixel(first + step), pixel(first + 2.0 * step), pixel(first + 3.0 * step));
}

// Written out rather than looped (see packed_nearest).
void main() {
    vec2 origin = vec2(4.0 * floor(gl_FragCoord.x), float(ROWS) * floor(gl_FragCoord.y)) + 0.5;
    vec2 first = (u_outputToFrame * vec3(origin, 1.0)).xy;
    vec2 across = u_outputToFrame[0].xy, down = u_outputToFrame[1].xy;
    rows[0] = blockRow(first, across);
    rows[1] = blockRow(first + down, across);
    rows[2] = blockRow(first + 2.0 * down, across);
    rows[3] = blockRow(first + 3.0 * down, across);
#if ROWS == 8
    rows[4] = blockRow(first + 4.0 * down, across);
    rows[5] = blockRow(first + 5.0 * down, across);
    rows[6] = blockRow(first + 6.0 * down, across);
    rows[7] = blockRow(first + 7.0 * down, across);
#endif
}

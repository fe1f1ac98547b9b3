#version 300 es
// NV12 -> RGBA from two integer textures. Integer textures and texelFetch keep the
// 8-bit code values exact (normalized R8 sampling on llvmpipe is off by ~4e-4), and
// chroma is the nearest sample: texel / 2.
precision highp float;
precision highp int;
precision highp usampler2D;

uniform usampler2D u_luma;     // R8UI, width x height
uniform usampler2D u_chroma;   // RG8UI (U, V), ceil(width/2) x ceil(height/2)
uniform vec2 u_frameSize;
uniform mat3 u_yuvToRgb;       // per code value, so range scaling is folded in
uniform vec3 u_yuvOffset;      // code values subtracted before the matrix

in vec2 v_framePos;
out vec4 fragColor;

void main() {
    // Outside the frame (letterbox bars) is opaque black; this also keeps texelFetch
    // inside the textures.
    if (any(lessThan(v_framePos, vec2(0.0))) || any(greaterThanEqual(v_framePos, u_frameSize))) {
        fragColor = vec4(0.0, 0.0, 0.0, 1.0);
        return;
    }
    // A position exactly on a texel edge (every even downscale puts pixel centres there)
    // belongs to the texel on its right/below, as GL_NEAREST's floor() does; the small
    // bias keeps float interpolation error from tipping such ties to the other texel.
    ivec2 texel = ivec2(v_framePos + 1.0 / 1024.0);
    float luma = float(texelFetch(u_luma, texel, 0).r);
    vec2 chroma = vec2(texelFetch(u_chroma, texel >> 1, 0).rg);
    fragColor = vec4(clamp(u_yuvToRgb * (vec3(luma, chroma) - u_yuvOffset), 0.0, 1.0), 1.0);
}

#version 300 es
// NV12 -> RGBA from two integer textures. Integer textures and texelFetch keep the
// 8-bit code values exact (normalized R8 sampling on llvmpipe is off by ~4e-4), and
// chroma is the nearest sample: texel / 2.
precision highp float;
precision highp int;
precision highp usampler2D;

uniform usampler2D u_luma;     // R8UI, width x height
uniform usampler2D u_chroma;   // RG8UI (U, V), ceil(width/2) x ceil(height/2)
uniform mat3 u_outputToFrame;  // gl_FragCoord (homogeneous) -> frame pixel position
uniform ivec2 u_frameSize;
uniform mat3 u_yuvToRgb;       // per code value, so range scaling is folded in
uniform vec3 u_yuvOffset;      // code values subtracted before the matrix

out vec4 fragColor;

void main() {
    vec3 mapped = u_outputToFrame * vec3(gl_FragCoord.xy, 1.0);
    vec2 framePos = mapped.xy / mapped.z;
    // Outside the frame (letterbox bars, transforms that leave the frame) is opaque
    // black; this also keeps texelFetch inside the textures.
    if (mapped.z <= 0.0
        || any(lessThan(framePos, vec2(0.0)))
        || any(greaterThanEqual(framePos, vec2(u_frameSize)))) {
        fragColor = vec4(0.0, 0.0, 0.0, 1.0);
        return;
    }
    ivec2 texel = ivec2(floor(framePos));
    float luma = float(texelFetch(u_luma, texel, 0).r);
    vec2 chroma = vec2(texelFetch(u_chroma, texel / 2, 0).rg);
    vec3 rgb = u_yuvToRgb * (vec3(luma, chroma) - u_yuvOffset);
    fragColor = vec4(clamp(rgb, 0.0, 1.0), 1.0);
}

#version 300 es
// NV12 -> RGBA. Compiled in one of three variants (a #define is inserted after #version):
//   INTEGER_PLANES     Y as R8UI and UV as RG8UI textures (uploaded frames): exact 8-bit
//                      codes (normalized R8 sampling on llvmpipe is off by ~4e-4)
//   NORMALIZED_PLANES  Y as R8 and UV as GR88 EGLImages (per-plane dma-buf import)
//   EXTERNAL_IMAGE     one NV12 EGLImage; the driver converts to RGB (colour hints)
// Chroma is always the nearest sample: texel / 2.
#ifdef EXTERNAL_IMAGE
#extension GL_OES_EGL_image_external_essl3 : require
#endif
precision highp float;
precision highp int;

#if defined(INTEGER_PLANES)
precision highp usampler2D;
uniform usampler2D u_luma;     // width x height
uniform usampler2D u_chroma;   // (U, V), ceil(width/2) x ceil(height/2)
#elif defined(NORMALIZED_PLANES)
uniform sampler2D u_luma;
uniform sampler2D u_chroma;
#else
uniform samplerExternalOES u_image;
#endif
uniform vec2 u_frameSize;
uniform mat3 u_yuvToRgb;       // per code value, so range scaling is folded in
uniform vec3 u_yuvOffset;      // code values subtracted before the matrix

in vec3 v_framePos;
out vec4 fragColor;

void main() {
    vec2 framePos = v_framePos.xy / v_framePos.z;
    // Outside the frame (letterbox bars, behind a projective transform's horizon) is
    // opaque black; this also keeps texelFetch inside the textures.
    if (v_framePos.z <= 0.0 || any(lessThan(framePos, vec2(0.0))) || any(greaterThanEqual(framePos, u_frameSize))) {
        fragColor = vec4(0.0, 0.0, 0.0, 1.0);
        return;
    }
    // A position exactly on a texel edge (every even downscale puts pixel centres there)
    // belongs to the texel on its right/below, as GL_NEAREST's floor() does; the small
    // bias keeps float interpolation error from tipping such ties to the other texel.
    ivec2 texel = ivec2(framePos + 1.0 / 1024.0);
#if defined(EXTERNAL_IMAGE)
    fragColor = vec4(texture(u_image, (vec2(texel) + 0.5) / u_frameSize).rgb, 1.0);
#else
#if defined(INTEGER_PLANES)
    float luma = float(texelFetch(u_luma, texel, 0).r);
    vec2 chroma = vec2(texelFetch(u_chroma, texel >> 1, 0).rg);
#else
    // Normalized sampling is off by up to ~4e-4 on llvmpipe; rounding recovers the code.
    float luma = round(texelFetch(u_luma, texel, 0).r * 255.0);
    vec2 chroma = round(texelFetch(u_chroma, texel >> 1, 0).rg * 255.0);
#endif
    fragColor = vec4(clamp(u_yuvToRgb * (vec3(luma, chroma) - u_yuvOffset), 0.0, 1.0), 1.0);
#endif
}

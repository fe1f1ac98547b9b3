#version 300 es
// One triangle that covers the whole viewport (no vertex buffers), carrying the frame
// position of each corner. Every supported transform is affine, so interpolating the
// frame position replaces a per-fragment matrix multiply.
uniform mat3 u_outputToFrame;  // output pixel position (homogeneous) -> frame pixel position
uniform vec2 u_outputSize;
out vec2 v_framePos;

void main() {
    vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    v_framePos = (u_outputToFrame * vec3(corner * u_outputSize, 1.0)).xy;
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}

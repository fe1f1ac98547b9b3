#version 300 es
// One triangle that covers the whole viewport (no vertex buffers), carrying the frame
// position of each corner in homogeneous coordinates: they interpolate linearly across
// the screen for any 3x3 transform, and the fragment shader divides.
uniform mat3 u_outputToFrame;  // output pixel position (homogeneous) -> frame pixel position
uniform vec2 u_outputSize;
out vec3 v_framePos;

void main() {
    vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    v_framePos = u_outputToFrame * vec3(corner * u_outputSize, 1.0);
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}

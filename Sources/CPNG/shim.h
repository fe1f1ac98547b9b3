#include <png.h>

// Composite macros that Swift does not import.
static const png_uint_32 cv_PNG_FORMAT_RGBA = PNG_FORMAT_RGBA;

# stb (Debian's libstb-dev) ships no CMake package: find its library and
# headers, and make the library the imported target gan::stb. Shared by
# gan's own build and its installed package (ganConfig.cmake), whose
# static library links stb.
find_library(STB_LIBRARY NAMES stb)
find_path(STB_INCLUDE_DIR stb/stb_image.h)
if(STB_LIBRARY AND STB_INCLUDE_DIR AND NOT TARGET gan::stb)
  add_library(gan::stb UNKNOWN IMPORTED)
  set_target_properties(gan::stb PROPERTIES IMPORTED_LOCATION "${STB_LIBRARY}")
endif()

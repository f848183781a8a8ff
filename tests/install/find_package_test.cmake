# gan as users get it: installs this build into a temporary prefix, builds
# examples/ against the installed package with find_package(gan), trains a
# tiny checkpoint with the installed `gan` command and checks that the
# example writes its PNG grid. Run by CTest (tests/CMakeLists.txt) as
#   cmake -DGAN_BUILD_DIR=... -DGAN_SOURCE_DIR=... -DWORK_DIR=...
#         -DGENERATOR=... -DCXX_COMPILER=... -DLIBDIR=lib
#         -P find_package_test.cmake
# Everything it writes is under WORK_DIR, which it empties first.

foreach(var
    GAN_BUILD_DIR GAN_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER LIBDIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "find_package_test.cmake: -D${var}=... is required")
  endif()
endforeach()

# Runs a command; fails the test with its output when it fails.
function(run)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${status}): ${command}\n${out}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

# 1. Install, and check the package's pieces are where users look.
run("${CMAKE_COMMAND}" --install "${GAN_BUILD_DIR}" --prefix "${prefix}")
foreach(file
    bin/gan
    include/gan/train/snapshot.h
    ${LIBDIR}/libgan.a
    ${LIBDIR}/cmake/gan/ganConfig.cmake
    ${LIBDIR}/cmake/gan/ganConfigVersion.cmake
    ${LIBDIR}/cmake/gan/ganTargets.cmake)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "the install has no ${file}")
  endif()
endforeach()

# 2. A tiny dataset: 24 grey 8 x 8 images as binary PGM files (stb reads
# them). Pixels are the letters 'A' (65, background) and 'z' (122, a bar
# whose row depends on the image), so CMake can write them as text.
set(data "${WORK_DIR}/data")
file(MAKE_DIRECTORY "${data}")
foreach(i RANGE 23)
  math(EXPR bar "${i} % 6 + 1")
  set(pixels "")
  foreach(row RANGE 7)
    if(row EQUAL bar)
      string(APPEND pixels "zzzzzzzz")
    else()
      string(APPEND pixels "AAAAAAAA")
    endif()
  endforeach()
  file(WRITE "${data}/image-${i}.pgm" "P5\n8 8\n255\n${pixels}")
endforeach()

# 3. A few steps of the paper's MLP, shrunk, with the installed command.
file(WRITE "${WORK_DIR}/tiny.toml" "\
[data]
format = \"folder\"
path = \"${data}\"
train_size = 20
[model]
latent_dim = 4
[model.mlp]
g_hidden = [8]
d_hidden = [8]
d_pieces = 2
[train]
batch_size = 10
epochs = 2
threads = 1
[log]
grid_count = 4
")
run("${prefix}/bin/gan" train --config "${WORK_DIR}/tiny.toml"
    --out "${WORK_DIR}/run" --quiet)

# 4. Build the example against the installed package only.
run("${CMAKE_COMMAND}" -S "${GAN_SOURCE_DIR}/examples" -B "${WORK_DIR}/build"
    -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_PREFIX_PATH=${prefix}")
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build")

# 5. Run it; it must write a PNG.
set(grid "${WORK_DIR}/grid.png")
run("${WORK_DIR}/build/sample_from_checkpoint" "${WORK_DIR}/run" "${grid}" 16)
if(NOT EXISTS "${grid}")
  message(FATAL_ERROR "sample_from_checkpoint wrote no ${grid}")
endif()
file(READ "${grid}" magic LIMIT 8 HEX)
if(NOT magic STREQUAL "89504e470d0a1a0a")
  message(FATAL_ERROR "${grid} is not a PNG file (starts with ${magic})")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
message(STATUS "installed package, example and its PNG grid: all fine")

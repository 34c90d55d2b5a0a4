# sluice_bpf_object(<name> <source.bpf.c>)
#
# Compiles a BPF C source with clang -target bpf (-Wall -Werror) into
# ${CMAKE_BINARY_DIR}/bpf/<name>.bpf.o, generates its libbpf skeleton
# ${CMAKE_BINARY_DIR}/bpf/<name>.skel.h with bpftool, and defines the interface
# target sluice_bpf_<name> that carries the include path of the skeleton.

find_program(BPF_CLANG NAMES clang clang-16 clang-15 clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

# Kernel UAPI headers for the BPF target: the multiarch directory holds asm/.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
                OUTPUT_VARIABLE SLUICE_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT SLUICE_MULTIARCH)
  set(SLUICE_MULTIARCH "${CMAKE_SYSTEM_PROCESSOR}-linux-gnu")
endif()

set(SLUICE_BPF_CFLAGS -target bpf -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter
    -I${CMAKE_SOURCE_DIR}/bpf -I${CMAKE_SOURCE_DIR}/include
    -I/usr/include/${SLUICE_MULTIARCH})

function(sluice_bpf_object name source)
  set(out_dir ${CMAKE_BINARY_DIR}/bpf)
  set(obj ${out_dir}/${name}.bpf.o)
  set(skel ${out_dir}/${name}.skel.h)
  file(GLOB_RECURSE deps CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/bpf/lib/*.h ${CMAKE_SOURCE_DIR}/include/sluice/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${BPF_CLANG} ${SLUICE_BPF_CFLAGS} -c ${CMAKE_CURRENT_SOURCE_DIR}/${source} -o ${obj}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${source} ${deps}
    COMMENT "BPF ${name}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND sh -c "${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}.tmp && mv ${skel}.tmp ${skel}"
    DEPENDS ${obj}
    COMMENT "skeleton ${name}"
    VERBATIM)
  add_custom_target(sluice_bpf_${name}_gen DEPENDS ${skel})
  add_library(sluice_bpf_${name} INTERFACE)
  add_dependencies(sluice_bpf_${name} sluice_bpf_${name}_gen)
  target_include_directories(sluice_bpf_${name} INTERFACE ${out_dir})
endfunction()

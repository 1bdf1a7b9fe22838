# Hardening (issue 7): -DDEVCERT_SANITIZE=ON builds the library, the devcert executable and the
# test binary with AddressSanitizer (leaks included) + UndefinedBehaviorSanitizer. UB aborts
# (-fno-sanitize-recover) so a report fails the test that caused it instead of scrolling by.
# Included before any target is defined: add_compile_options applies to targets defined later.
option(DEVCERT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(DEVCERT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # CI builds this from scratch beside the normal build on 2 cores, and instrumented code
  # generation is what costs (wss/server.cpp, 1 file: 229 s of CPU with g++ -O1, 118 s at -O0,
  # 92 s with clang++ -O0, against 18 s to parse it). Two things make it affordable:
  # - A unity build: each batch of sources is one translation unit, so the inline functions of
  #   the standard library, CLI11, nlohmann::json and GoogleTest are instrumented once a batch,
  #   not once a file.
  # - With clang, Boost's own functions (Asio, Beast: most of the code the wss sources
  #   instantiate) are left uninstrumented: server.cpp drops from 92 s to 51 s. devcert's code,
  #   its coroutines included, stays instrumented; memory Boost reads or writes through libc
  #   (memcpy, read, send...) is still checked by ASan's interceptors, and leaks anywhere are
  #   still found (LeakSanitizer works at run time).
  set(CMAKE_UNITY_BUILD ON)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_compile_options(-fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/sanitize-ignore.txt)
  endif()
endif()

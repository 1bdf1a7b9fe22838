# Hardening (issue 7): -DDEVCERT_SANITIZE=ON builds the library, the devcert executable and the
# test binary with AddressSanitizer (leaks included) + UndefinedBehaviorSanitizer. UB aborts
# (-fno-sanitize-recover) so a report fails the test that caused it instead of scrolling by.
# Included before any target is defined: add_compile_options applies to targets defined later.
option(DEVCERT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(DEVCERT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

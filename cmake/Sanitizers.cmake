# MC_SANITIZE is a comma-separated list handed to -fsanitize= (the asan and tsan presets set it).
set(MC_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined or thread")

if(MC_SANITIZE)
  # -fno-sanitize-recover turns every UBSan report into a failure instead of a log line.
  add_compile_options(-fsanitize=${MC_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${MC_SANITIZE})
  if(MC_SANITIZE MATCHES "address")
    # The sanitizer's instrumentation makes g++ 12 report uninitialised reads inside
    # std::regex that do not exist; the plain builds keep the warning.
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  if(MC_SANITIZE MATCHES "undefined")
    # Lets a test skip what UBSan's runtime cannot do (see MC_SANITIZE_UNDEFINED's users).
    add_compile_definitions(MC_SANITIZE_UNDEFINED)
  endif()
  if(MC_SANITIZE MATCHES "thread")
    # g++ 12 warns that TSan does not model atomic_thread_fence, which Asio's fenced blocks
    # use; the warning is about the tool, not our code.
    add_compile_options(-Wno-tsan)
  endif()
endif()

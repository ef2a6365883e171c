# Warnings for the project's own code. Third-party headers come from /usr/include and are
# system headers, so these flags never fire on Asio, fmt or GoogleTest.
add_compile_options(-Wall -Wextra -Wpedantic -Werror)

// Built only with CPPMC_IO_URING (see cmake/Dependencies.cmake).
//
// Asio 1.22 creates its io_uring with no setup flags. Then the kernel finishes each receive
// as soon as its data arrives, by interrupting this thread wherever it is, and on loopback it
// finds the socket still locked by the sender on the other core: the receive spins. With
// IORING_SETUP_COOP_TASKRUN that work waits until this thread next enters the kernel, which
// it does anyway to submit and wait. Asio calls liburing's io_uring_queue_init; this
// definition, in the program itself, is the one the linker binds that call to.
#include <liburing.h>

extern "C" int io_uring_queue_init(unsigned entries, struct io_uring* ring, unsigned flags) {
  io_uring_params params{};
  params.flags = flags | IORING_SETUP_COOP_TASKRUN;
  return io_uring_queue_init_params(entries, ring, &params);
}

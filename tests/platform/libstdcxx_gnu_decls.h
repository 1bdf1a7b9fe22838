// Declarations that libstdc++'s own headers (<thread>, <mutex>, <shared_mutex>) call and glibc
// declares only under _GNU_SOURCE; posix_sources_compile.sh turns that off for the sources it
// checks, so these stand in. Nothing here is for the sources themselves.
#include <pthread.h>
#include <time.h>

extern "C" {
int pthread_cond_clockwait(pthread_cond_t*, pthread_mutex_t*, clockid_t, const struct timespec*);
int pthread_mutex_clocklock(pthread_mutex_t*, clockid_t, const struct timespec*);
int pthread_rwlock_clockrdlock(pthread_rwlock_t*, clockid_t, const struct timespec*);
int pthread_rwlock_clockwrlock(pthread_rwlock_t*, clockid_t, const struct timespec*);
}

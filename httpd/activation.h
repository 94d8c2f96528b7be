/* activation: listening sockets handed over by a service manager.
 *
 * systemd's socket activation protocol (sd_listen_fds(3)), read directly: a
 * dependency on libsystemd for a dozen lines was not worth it. The manager
 * passes descriptors 3, 4, ... (LISTEN_FDS of them) and sets LISTEN_PID to
 * the pid it exec'ed; variables meant for another process (a LISTEN_PID
 * that is not ours) are ignored. The variables are removed either way, so
 * that nothing started later takes the sockets for its own. */
#ifndef ACTIVATION_H
#define ACTIVATION_H

#include <stddef.h>

#define ACTIVATION_FDS_START 3   /* SD_LISTEN_FDS_START */
#define ACTIVATION_FDS_MAX   64  /* sockets taken over, at most */

/* Fills fds with the inherited listening sockets, made non-blocking and
 * close-on-exec. Returns how many (0: not socket-activated), or -1 with a
 * one-line reason in err when the hand-over is unusable (a descriptor that
 * is not a listening TCP socket, a bad count). */
int activation_listeners(int *fds, int max, char *err, size_t errlen);

#endif

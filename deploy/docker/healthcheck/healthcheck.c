/*
 * The container health probe: exit 0 when GET /healthz on 127.0.0.1 answers 2xx within 2 s, else 1.
 *
 *   healthcheck [path]        path defaults to /healthz; the port is PEERWEAVE_HTTP_PORT (default 8080),
 *                             the same variable the node listens on
 *
 * Why C: the engine runs this every health-check interval in every container, and a Node probe costs
 * ~40 ms of CPU per run (mostly V8 starting); this one costs well under a millisecond, so the interval
 * can stay short and `docker compose up --wait` fast. The image has no shell and no RUN, so it is built
 * on the host (scripts/build-healthcheck.ts: gcc -static) and copied in with dist/.
 *
 * Static glibc: nothing here may need NSS or dlopen (no getaddrinfo, no getpwnam), hence a numeric
 * address. One deadline (alarm) bounds the whole probe, including a server that accepts and never
 * answers or trickles bytes; it fires before the engine's own 3 s timeout, so a stuck node is
 * reported as a failed probe with a reason instead of a killed one.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_PORT 8080
#define DEFAULT_PATH "/healthz"
#define DEADLINE_S 2
#define STR_(x) #x
#define STR(x) STR_(x)
#define MAX_PATH 256
/* Room for a status line; one longer than this is not one we accept. */
#define MAX_STATUS_LINE 512

/* Exit status: the engine reads 0 as healthy and 1 as unhealthy (2 is reserved). */
enum { HEALTHY = 0, UNHEALTHY = 1 };

/* stderr ends up in `docker inspect`'s health log, so every failure says why. */
static void say(const char *a, const char *b) {
  const char prefix[] = "healthcheck: ";
  ssize_t ignored = write(STDERR_FILENO, prefix, sizeof prefix - 1);
  ignored = write(STDERR_FILENO, a, strlen(a));
  if (b != NULL) ignored = write(STDERR_FILENO, b, strlen(b));
  ignored = write(STDERR_FILENO, "\n", 1);
  (void)ignored;
}

static int fail(const char *a, const char *b) {
  say(a, b);
  return UNHEALTHY;
}

static void on_deadline(int sig) {
  (void)sig;
  static const char msg[] = "healthcheck: no answer within " STR(DEADLINE_S) " s\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
  _exit(UNHEALTHY);
}

/* PEERWEAVE_HTTP_PORT as the node reads it: unset or empty means the default. 0 on anything else. */
static int port_from_env(void) {
  const char *s = getenv("PEERWEAVE_HTTP_PORT");
  if (s == NULL || *s == '\0') return DEFAULT_PORT;
  long port = 0;
  for (const char *p = s; *p != '\0'; p++) {
    if (*p < '0' || *p > '9' || port > 65535) return 0;
    port = port * 10 + (*p - '0');
  }
  return port >= 1 && port <= 65535 ? (int)port : 0;
}

/* An origin-form path without anything that could end or split the request line. */
static int valid_path(const char *path) {
  size_t n = strlen(path);
  if (n == 0 || n > MAX_PATH || path[0] != '/') return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)path[i];
    if (c <= ' ' || c >= 0x7f) return 0;
  }
  return 1;
}

/* "HTTP/1.0 200 OK" or "HTTP/1.1 204": a 2xx code followed by a space or the end of the line. */
static int status_is_2xx(const char *line) {
  if (strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') || line[8] != ' ') return 0;
  const char *code = line + 9;
  if (code[0] != '2' || code[1] < '0' || code[1] > '9' || code[2] < '0' || code[2] > '9') return 0;
  return code[3] == ' ' || code[3] == '\0';
}

static int send_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_deadline;
  sigaction(SIGALRM, &sa, NULL);
  alarm(DEADLINE_S);

  const char *path = argc > 1 ? argv[1] : DEFAULT_PATH;
  if (argc > 2 || !valid_path(path)) return fail("usage: healthcheck [/path]", NULL);
  int port = port_from_env();
  if (port == 0) return fail("PEERWEAVE_HTTP_PORT is not a port 1..65535: ", getenv("PEERWEAVE_HTTP_PORT"));

  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("socket: ", strerror(errno));
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) return fail("connect: ", strerror(errno));

  char request[MAX_PATH + 80];
  size_t len = 0;
  const char *parts[] = {"GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    size_t n = strlen(parts[i]);
    memcpy(request + len, parts[i], n);
    len += n;
  }
  if (send_all(fd, request, len) != 0) return fail("send: ", strerror(errno));

  /* Read until the end of the status line; the rest of the answer does not matter. */
  char head[MAX_STATUS_LINE + 1];
  size_t have = 0;
  for (;;) {
    ssize_t n = recv(fd, head + have, MAX_STATUS_LINE - have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("recv: ", strerror(errno));
    if (n == 0) return fail("connection closed before a status line", NULL);
    have += (size_t)n;
    head[have] = '\0';
    char *eol = strstr(head, "\r\n");
    if (eol != NULL) {
      *eol = '\0';
      break;
    }
    if (have == MAX_STATUS_LINE) return fail("status line too long", NULL);
  }
  close(fd);
  if (!status_is_2xx(head)) return fail("not 2xx: ", head);
  return HEALTHY;
}

// The service bench's burst client: CLIENTS threads, each with one keep-alive HTTP/1.1
// connection, POST the same JSON body to PATH until N requests have been answered, each
// waiting for its answer before sending the next (a wait=true client). Every answer must be
// 200 and contain EXPECT. Prints one line of JSON: requests, seconds, and this process's own
// CPU time, so the bench can say how much of the machine the client took from the service.
//   burst HOST PORT PATH N CLIENTS BODY_FILE EXPECT
// C rather than Python threads: the client should cost the cores as little as possible, or
// the service's share of them during the burst says more about the client than the service.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host, *path, *expect;
static int port, total;
static char *body;
static size_t body_len;
static int next_request;

static void die(const char *what)
{
    fprintf(stderr, "burst: %s\n", what);
    exit(1);
}

static int connect_to(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1) die("bad host");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("cannot connect");
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) die("write failed");
        p += w;
        n -= (size_t)w;
    }
}

// A growing buffer of what the connection has sent and this request has not used yet.
struct conn {
    int fd;
    char *buf;
    size_t len, cap;
};

static void fill(struct conn *c)
{
    if (c->cap - c->len < 65536) {
        c->cap = c->cap * 2 + 65536;
        c->buf = realloc(c->buf, c->cap);
        if (!c->buf) die("out of memory");
    }
    ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
    if (r <= 0) die("the server closed the connection");
    c->len += (size_t)r;
    c->buf[c->len] = 0;
}

static void consume(struct conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    c->buf[c->len] = 0;
}

// Reads one response; returns its status, and its body (Content-Length or chunked) in *out.
static int read_response(struct conn *c, char **out)
{
    char *end;
    while (!c->buf || !(end = strstr(c->buf, "\r\n\r\n"))) fill(c);
    size_t head = (size_t)(end - c->buf) + 4;
    int status = atoi(c->buf + 9);
    char *cl = strcasestr(c->buf, "\r\ncontent-length:");
    int chunked = strcasestr(c->buf, "\r\ntransfer-encoding: chunked") && strcasestr(c->buf, "\r\ntransfer-encoding: chunked") < end;
    if (cl && cl > end) cl = NULL;
    size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
    consume(c, head);
    char *text = malloc(1);
    size_t text_len = 0;
    if (!chunked) {
        while (c->len < want) fill(c);
        text = realloc(text, want + 1);
        memcpy(text, c->buf, want);
        text_len = want;
        consume(c, want);
    } else {
        for (;;) {
            char *eol;
            while (!(eol = strstr(c->buf, "\r\n"))) fill(c);
            size_t size = strtoul(c->buf, NULL, 16), line = (size_t)(eol - c->buf) + 2;
            while (c->len < line + size + 2) fill(c);
            text = realloc(text, text_len + size + 1);
            memcpy(text + text_len, c->buf + line, size);
            text_len += size;
            consume(c, line + size + 2);
            if (size == 0) break;
        }
    }
    text[text_len] = 0;
    *out = text;
    return status;
}

static void *client(void *unused)
{
    (void)unused;
    struct conn c = {.fd = connect_to()};
    char head[512];
    int head_len = snprintf(head, sizeof head,
                            "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                            path, host, port, body_len);
    while (__atomic_fetch_add(&next_request, 1, __ATOMIC_RELAXED) < total) {
        send_all(c.fd, head, (size_t)head_len);
        send_all(c.fd, body, body_len);
        char *answer;
        int status = read_response(&c, &answer);
        if (status != 200 || !strstr(answer, expect)) {
            fprintf(stderr, "burst: answered %d: %.500s\n", status, answer);
            exit(1);
        }
        free(answer);
    }
    close(c.fd);
    free(c.buf);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: burst HOST PORT PATH N CLIENTS BODY_FILE EXPECT\n");
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    path = argv[3];
    total = atoi(argv[4]);
    int clients = atoi(argv[5]);
    expect = argv[7];
    FILE *f = fopen(argv[6], "rb");
    if (!f || clients < 1 || total < 1) die("bad arguments");
    body = malloc(1 << 20);
    body_len = fread(body, 1, 1 << 20, f);
    fclose(f);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t *threads = calloc((size_t)clients, sizeof *threads);
    for (int i = 0; i < clients; i++) pthread_create(&threads[i], NULL, client, NULL);
    for (int i = 0; i < clients; i++) pthread_join(threads[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    printf("{\"requests\": %d, \"seconds\": %.6f, \"cpu_seconds\": %.6f}\n", total,
           (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
           u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6);
    return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udp-load.c: a BEP 15 load generator for tests/bench/tracker.sh (a
 * benchmark, not a test). It keeps CONCURRENCY requests in flight to
 * HOST:PORT for SECONDS: each client connects, then announces again and
 * again as one of PEERS peers (picked at random) in one of SWARMS swarms
 * (info hash: 4 bytes of the swarm's number, then zeros; peer id: the
 * swarm's and the peer's numbers; port: 10000 + the peer's number), so
 * the tracker ends holding SWARMS x PEERS peers. Prints one line of JSON:
 * announces answered, per second, errors (error replies, or answers that
 * do not parse) and timeouts.
 *
 * Usage: udp-load HOST PORT SECONDS CONCURRENCY SWARMS PEERS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct
{
  int      fd;
  uint32_t transaction;
  uint64_t connection;
  int      connected;
  double   sent_at;
  uint32_t swarm;
  uint16_t port;
} Client;

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void
put64 (uint8_t *p, uint64_t v)
{
  put32 (p, (uint32_t) (v >> 32));
  put32 (p + 4, (uint32_t) v);
}

static uint32_t
get32 (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void
send_request (Client *c,
              unsigned swarms,
              unsigned peers)
{
  uint8_t packet[98];
  size_t length;
  uint32_t index;

  c->transaction = (uint32_t) random ();
  if (!c->connected)
    {
      put64 (packet, 0x41727101980ULL);
      put32 (packet + 8, 0);
      put32 (packet + 12, c->transaction);
      length = 16;
    }
  else
    {
      memset (packet, 0, sizeof packet);
      put64 (packet, c->connection);
      put32 (packet + 8, 1);
      put32 (packet + 12, c->transaction);
      c->swarm = (uint32_t) (random () % swarms);
      index = (uint32_t) (random () % peers);
      put32 (packet + 16, c->swarm);                 /* info hash: the swarm's number, then zeros */
      memcpy (packet + 36, "-UL0001-", 8);           /* peer id */
      put32 (packet + 44, c->swarm);
      put32 (packet + 48, index);
      put64 (packet + 64, 1000);                     /* left */
      put32 (packet + 80, 2);                        /* started */
      put32 (packet + 92, 20);                       /* num_want */
      c->port = (uint16_t) (10000 + index);
      packet[96] = c->port >> 8;
      packet[97] = c->port & 0xff;
      length = sizeof packet;
    }
  send (c->fd, packet, length, 0);
  c->sent_at = now ();
}

int
main (int    argc,
      char **argv)
{
  struct sockaddr_in to = { 0 };
  unsigned seconds, concurrency, swarms, peers, i;
  unsigned long answered = 0, errors = 0, timeouts = 0;
  struct pollfd *fds;
  Client *clients;
  double start, end;

  if (argc != 7)
    {
      fprintf (stderr, "usage: udp-load HOST PORT SECONDS CONCURRENCY SWARMS PEERS\n");
      return 2;
    }
  to.sin_family = AF_INET;
  to.sin_port = htons ((uint16_t) atoi (argv[2]));
  if (inet_pton (AF_INET, argv[1], &to.sin_addr) != 1)
    {
      fprintf (stderr, "udp-load: %s is not an IPv4 address\n", argv[1]);
      return 2;
    }
  seconds = (unsigned) atoi (argv[3]);
  concurrency = (unsigned) atoi (argv[4]);
  swarms = (unsigned) atoi (argv[5]);
  peers = (unsigned) atoi (argv[6]);
  if (seconds == 0 || concurrency == 0 || swarms == 0 || peers == 0 || peers > 50000)
    return 2;
  srandom ((unsigned) getpid ());
  clients = calloc (concurrency, sizeof *clients);
  fds = calloc (concurrency, sizeof *fds);
  for (i = 0; i < concurrency; i++)
    {
      clients[i].fd = socket (AF_INET, SOCK_DGRAM, 0);
      if (clients[i].fd < 0 || connect (clients[i].fd, (struct sockaddr *) &to, sizeof to) != 0)
        {
          perror ("udp-load: socket");
          return 1;
        }
      fds[i].fd = clients[i].fd;
      fds[i].events = POLLIN;
      send_request (&clients[i], swarms, peers);
    }
  start = now ();
  end = start + seconds;
  while (now () < end)
    {
      int ready = poll (fds, concurrency, 100);

      for (i = 0; i < concurrency && ready > 0; i++)
        {
          uint8_t reply[2048];
          ssize_t n;

          if (!(fds[i].revents & POLLIN))
            continue;
          n = recv (clients[i].fd, reply, sizeof reply, 0);
          if (n < 8 || get32 (reply + 4) != clients[i].transaction)
            {
              if (n >= 0)
                errors++;
              continue;
            }
          if (get32 (reply) == 0 && n >= 16)
            {
              clients[i].connection = (uint64_t) get32 (reply + 8) << 32 | get32 (reply + 12);
              clients[i].connected = 1;
            }
          else if (get32 (reply) == 1 && n >= 20)
            answered++;
          else
            {
              errors++;
              clients[i].connected = 0;
            }
          send_request (&clients[i], swarms, peers);
        }
      /* A lost datagram: ask again (BEP 15 would wait 15 s; a benchmark
       * on loopback does not). */
      for (i = 0; i < concurrency; i++)
        if (now () - clients[i].sent_at > 1.0)
          {
            timeouts++;
            send_request (&clients[i], swarms, peers);
          }
    }
  printf ("{\"answered\": %lu, \"per_second\": %.0f, \"errors\": %lu, \"timeouts\": %lu}\n", answered,
          answered / (now () - start), errors, timeouts);
  return 0;
}

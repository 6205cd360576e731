using System.Net;
using System.Net.Sockets;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>The box has a network namespace with only its own loopback: nothing of the host's network is reachable.</summary>
[Collection("Attacks")]
public class NetworkAttacks(Arena arena)
{
    private const string Connect = """
        import errno, socket
        def connect(name, family, address, kind=socket.SOCK_STREAM):
            s = socket.socket(family, kind)
            s.settimeout(2)
            try:
                s.connect(address)
                if kind == socket.SOCK_DGRAM:
                    s.send(b'x'); s.recv(1)
                print(name, 'connected')
            except OSError as e:
                print(name, errno.errorcode.get(e.errno, e.errno) if e.errno else type(e).__name__)

        """;

    [Fact]
    public void There_is_no_route_to_any_address_outside_the_box()
    {
        var r = arena.Python(Connect + """
            connect('public_v4', socket.AF_INET, ('1.1.1.1', 80))
            connect('private_v4', socket.AF_INET, ('10.0.0.1', 80))
            connect('link_local_metadata', socket.AF_INET, ('169.254.169.254', 80))
            connect('public_v6', socket.AF_INET6, ('2606:4700:4700::1111', 80))
            connect('udp_v4', socket.AF_INET, ('8.8.8.8', 53), socket.SOCK_DGRAM)
            print('routes', len(open('/proc/net/route').read().strip().split('\n')) - 1)
            print('interfaces', ' '.join(sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:])))
            """);
        Expect.Ok(r);
        var report = Expect.Report(r);
        foreach (var name in new[] { "public_v4", "private_v4", "link_local_metadata", "public_v6", "udp_v4" })
            Assert.True(report[name] == "ENETUNREACH", $"{name}: {report[name]}\n{r.Stdout}");
        Assert.Equal("0", report["routes"]);
        Assert.Equal("lo", report["interfaces"]);
    }

    [Fact]
    public void A_service_listening_on_the_host_loopback_is_unreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var r = arena.Python(Connect + $"""
            connect('host_service', socket.AF_INET, ('127.0.0.1', {port}))
            connect('host_service_v6', socket.AF_INET6, ('::1', {port}))
            """);
        Expect.Ok(r);
        Assert.Equal("ECONNREFUSED", Expect.Report(r)["host_service"]);
        Assert.StartsWith("E", Expect.Report(r)["host_service_v6"]);
        Assert.False(listener.Pending(), "the host listener received a connection from the box");
    }

    [Fact]
    public void The_services_PostgreSQL_is_unreachable_over_TCP_and_its_unix_socket()
    {
        // A real local PostgreSQL if one is listening; otherwise a stand-in on its port, so the case always asserts.
        TcpListener? standIn = null;
        var realPostgres = CanConnect(5432);
        if (!realPostgres)
        {
            standIn = new TcpListener(IPAddress.Loopback, 5432);
            standIn.Start();
        }
        try
        {
            var r = arena.Python(Connect + """
                connect('postgres_tcp', socket.AF_INET, ('127.0.0.1', 5432))
                for i, path in enumerate(('/var/run/postgresql/.s.PGSQL.5432', '/run/postgresql/.s.PGSQL.5432', '/tmp/.s.PGSQL.5432')):
                    connect(f'postgres_unix{i}', socket.AF_UNIX, path)
                """);
            Expect.Ok(r);
            Assert.Equal("ECONNREFUSED", Expect.Report(r)["postgres_tcp"]);
            Assert.Equal(3, r.Stdout.Split('\n').Count(l => l.StartsWith("postgres_unix") && l.EndsWith(" ENOENT")));
            if (standIn is not null) Assert.False(standIn.Pending(), "the stand-in PostgreSQL received a connection from the box");
            Assert.True(CanConnect(5432), "the host's port 5432 must still be listening after the case");
        }
        finally
        {
            standIn?.Stop();
        }
    }

    [Fact]
    public void DNS_resolution_fails_and_no_resolver_is_configured()
    {
        var r = arena.Python(Connect + """
            import os
            try:
                print('resolve', socket.getaddrinfo('example.com', 80)[0][4][0])
            except socket.gaierror as e:
                print('resolve failed', e.errno)
            print('resolv_conf', os.path.exists('/etc/resolv.conf'))
            connect('stub_resolver', socket.AF_INET, ('127.0.0.53', 53), socket.SOCK_DGRAM)
            connect('public_resolver', socket.AF_INET, ('8.8.8.8', 53), socket.SOCK_DGRAM)
            """);
        Expect.Ok(r);
        var report = Expect.Report(r);
        Assert.StartsWith("failed", report["resolve"]);
        Assert.Equal("False", report["resolv_conf"]);
        Assert.Equal("ECONNREFUSED", report["stub_resolver"]); // the box's own loopback: nobody there
        Assert.Equal("ENETUNREACH", report["public_resolver"]);
    }

    [Fact]
    public void An_abstract_unix_socket_of_the_host_is_unreachable()
    {
        var name = $"runner-security-{Guid.NewGuid():N}";
        using var host = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        host.Bind(new UnixDomainSocketEndPoint("\0" + name));
        host.Listen();
        host.Blocking = false;
        var r = arena.Python(Connect + $"connect('abstract', socket.AF_UNIX, '\\0{name}')\n");
        Expect.Ok(r);
        Assert.Equal("ECONNREFUSED", Expect.Report(r)["abstract"]);
        Assert.False(host.Poll(0, SelectMode.SelectRead), "the host's abstract socket received a connection from the box");
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(IPAddress.Loopback, port).Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException) { return false; }
        catch (SocketException) { return false; }
    }
}

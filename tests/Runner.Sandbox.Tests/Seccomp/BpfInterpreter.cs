using System.Buffers.Binary;

namespace Runner.Sandbox.Tests.Seccomp;

/// <summary>The fields of the kernel's <c>struct seccomp_data</c> that a filter can read.</summary>
public readonly record struct SeccompData(int Nr, uint Arch, ulong InstructionPointer = 0, ulong A0 = 0, ulong A1 = 0, ulong A2 = 0, ulong A3 = 0, ulong A4 = 0, ulong A5 = 0)
{
    public byte[] ToBytes()
    {
        var b = new byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(0), Nr);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), Arch);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), InstructionPointer);
        ulong[] args = [A0, A1, A2, A3, A4, A5];
        for (var i = 0; i < 6; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16 + 8 * i), args[i]);
        return b;
    }
}

/// <summary>
/// A classic-BPF interpreter with the kernel's seccomp semantics (32-bit registers, 16 scratch
/// words, absolute loads from seccomp_data only). It lets tests ask what a compiled filter would
/// answer for calls that must never actually be made on the host (reboot, kexec, swapoff...).
/// </summary>
public static class BpfInterpreter
{
    // Opcode fields, as in linux/bpf_common.h.
    private const int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    private const int W = 0x00, ABS = 0x20, IMM = 0x00, MEM = 0x60, LEN = 0x80;
    private const int K = 0x00, X = 0x08, A = 0x10;

    public static uint Run(byte[] program, SeccompData data)
    {
        if (program.Length == 0 || program.Length % 8 != 0) throw new ArgumentException("not a sock_filter array");
        var input = data.ToBytes();
        var count = program.Length / 8;
        var mem = new uint[16];
        uint a = 0, x = 0;
        for (var pc = 0; pc < count; pc++)
        {
            var insn = program.AsSpan(pc * 8, 8);
            int code = BinaryPrimitives.ReadUInt16LittleEndian(insn);
            int jt = insn[2], jf = insn[3];
            var k = BinaryPrimitives.ReadUInt32LittleEndian(insn[4..]);
            switch (code & 0x07)
            {
                case LD:
                    a = (code & 0xe0) switch
                    {
                        ABS when (code & 0x18) == W => LoadWord(input, k),
                        IMM => k,
                        MEM => mem[k],
                        LEN => (uint)input.Length,
                        _ => throw Bad(pc, code),
                    };
                    break;
                case LDX:
                    x = (code & 0xe0) switch
                    {
                        IMM => k,
                        MEM => mem[k],
                        LEN => (uint)input.Length,
                        _ => throw Bad(pc, code),
                    };
                    break;
                case ST: mem[k] = a; break;
                case STX: mem[k] = x; break;
                case ALU:
                    {
                        var operand = (code & X) != 0 ? x : k;
                        a = (code & 0xf0) switch
                        {
                            0x00 => a + operand,
                            0x10 => a - operand,
                            0x20 => a * operand,
                            0x30 => operand == 0 ? throw Bad(pc, code) : a / operand,
                            0x40 => a | operand,
                            0x50 => a & operand,
                            0x60 => operand >= 32 ? 0 : a << (int)operand,
                            0x70 => operand >= 32 ? 0 : a >> (int)operand,
                            0x80 => (uint)-(int)a,
                            0x90 => operand == 0 ? throw Bad(pc, code) : a % operand,
                            0xa0 => a ^ operand,
                            _ => throw Bad(pc, code),
                        };
                        break;
                    }
                case JMP:
                    {
                        var operand = (code & X) != 0 ? x : k;
                        bool taken;
                        switch (code & 0xf0)
                        {
                            case 0x00: pc += (int)k; continue; // JA
                            case 0x10: taken = a == operand; break;
                            case 0x20: taken = a > operand; break;
                            case 0x30: taken = a >= operand; break;
                            case 0x40: taken = (a & operand) != 0; break;
                            default: throw Bad(pc, code);
                        }
                        pc += taken ? jt : jf;
                        break;
                    }
                case RET:
                    return (code & 0x18) switch
                    {
                        K => k,
                        A => a,
                        _ => throw Bad(pc, code),
                    };
                case MISC:
                    if ((code & 0xf8) == 0x00) x = a; // TAX
                    else if ((code & 0xf8) == 0x80) a = x; // TXA
                    else throw Bad(pc, code);
                    break;
            }
        }
        throw new InvalidOperationException("the filter fell off its end without returning (the kernel would reject it)");
    }

    private static uint LoadWord(byte[] input, uint offset)
    {
        if (offset % 4 != 0 || offset + 4 > input.Length)
            throw new InvalidOperationException($"unaligned or out-of-range load at {offset}");
        return BinaryPrimitives.ReadUInt32LittleEndian(input.AsSpan((int)offset));
    }

    private static InvalidOperationException Bad(int pc, int code) => new($"unsupported BPF instruction 0x{code:x4} at {pc}");
}

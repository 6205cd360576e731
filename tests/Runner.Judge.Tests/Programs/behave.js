const [cmd, ...args] = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean);
if (cmd === 'sum') console.log(Number(args[0]) + Number(args[1]));
else if (cmd === 'spin') { for (;;) {} }
else if (cmd === 'alloc') { const keep = []; for (;;) keep.push(new Array(1 << 17).fill(1.5)); }
else if (cmd === 'div') { const z = 0n; console.log(1n / z); }
else if (cmd === 'throw') throw new Error('boom');
else if (cmd === 'exit3') process.exit(3);
else if (cmd === 'flood') { const line = 'y'.repeat(4096) + '\n'; for (;;) require('fs').writeSync(1, line); }
else process.exit(11);

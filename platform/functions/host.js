/* global Deno */
// Runs under Deno, one process per edge function: what Supabase's Edge Runtime
// does for a function's worker. The function calls Deno.serve(handler) as it
// would on Supabase; this makes that listen on the port the platform chose
// (GD_FUNCTION_PORT; 0 for any free one), on 127.0.0.1, and says on stdout which port it got.
//
//   deno run --allow-net --allow-env --allow-read --allow-sys host.js <entrypoint>
const port = Number(Deno.env.get('GD_FUNCTION_PORT'));
const entrypoint = Deno.args[0];
if (!Number.isInteger(port) || !entrypoint) {
	console.error('usage: GD_FUNCTION_PORT=<port> deno run … host.js <entrypoint>');
	Deno.exit(2);
}
Deno.env.delete('GD_FUNCTION_PORT');

const serve = Deno.serve.bind(Deno);
let served = false;

// Deno.serve(handler) | Deno.serve(options, handler) | Deno.serve({ handler, ...options })
Deno.serve = (...args) => {
	if (served) throw new Error('An edge function calls Deno.serve once.');
	served = true;
	const options = typeof args[0] === 'function' ? {} : { ...args[0] };
	const handler = typeof args[0] === 'function' ? args[0] : (args[1] ?? options.handler);
	delete options.handler;
	return serve(
		{
			...options,
			port,
			hostname: '127.0.0.1',
			onListen: (address) => console.log(`gd-function-listening ${address.port}`)
		},
		handler
	);
};

await import(new URL(entrypoint, `file://${Deno.cwd()}/`).href);
if (!served) {
	console.error(`${entrypoint} did not call Deno.serve()`);
	Deno.exit(1);
}

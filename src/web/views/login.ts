import { type Html, html } from "../html.js";

/** The sign-in page renders without a session, so without the session-only stylesheet: its style is inline (allowed by hash). */
export const LOGIN_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:34rem;margin:4rem auto;background:#fff;border:1px solid #c9ced6;border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.5rem;margin-top:0}code{background:#eef0f3;padding:0 .25rem;border-radius:3px}
label{display:block;font-weight:600;margin:1rem 0 .25rem}input[type=password]{width:100%;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:4px;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:4px;cursor:pointer}
.bad{background:#fde8e8;border:1px solid #b91c1c;color:#7f1d1d;padding:.5rem 1rem;border-radius:4px}
.ok{background:#e6f4ea;border:1px solid #15803d;color:#14532d;padding:.5rem 1rem;border-radius:4px}
a{color:#1d4ed8}`;

function shell(title: string, body: Html, refreshTo?: string): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refreshTo ? html`<meta http-equiv="refresh" content="0;url=${refreshTo}">` : ""}
<title>${title} · QMS</title>
<style>${LOGIN_CSS}</style>
</head>
<body><main>${body}</main></body>
</html>
`.value;
}

export function loginView(opts: { project: string; formToken: string; next: string; error?: string; tokensEnabled: boolean }): string {
  return shell(
    "Sign in",
    html`<h1>Sign in to QMS ${opts.project}</h1>
${opts.error ? html`<p class="bad" role="alert">${opts.error}</p>` : ""}
<p>On the host, run <code>qms ui --user NAME</code> and open the link it prints (valid for 5 minutes, once).</p>
${opts.tokensEnabled
  ? html`<form method="post" action="/ui/login">
<input type="hidden" name="_login" value="${opts.formToken}">
<input type="hidden" name="next" value="${opts.next}">
<label for="token">Or paste an access token</label>
<input type="password" id="token" name="token" autocomplete="off" required>
<button type="submit">Sign in</button>
</form>`
  : html`<p>Signing in with a token needs the server's token store.</p>`}`,
  );
}

/** After a sign-in link: a page that moves on by itself (a new navigation, so the SameSite=Strict cookie is sent and the code leaves the address bar). */
export function signedInView(user: string, next: string): string {
  return shell("Signed in", html`<h1>Signed in</h1><p class="ok" role="status">Signed in as <strong>${user}</strong>.</p><p><a href="${next}">Continue</a></p>`, next);
}

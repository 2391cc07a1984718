/** The sign-in pages: password, then a code (or a recovery code), or the forced enrollment. */

export const signIn = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <h1><%= it.t.signIn.title %></h1>
    <p class="lead"><%= it.t.signIn.intro %></p>
<%~ include('@messages', it) %>
    <form method="post" action="/login" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'email', label: it.t.signIn.email, type: 'email', value: it.values && it.values.email, autocomplete: 'username', required: true, autofocus: true, spellcheck: false, maxlength: 254, error: it.errors.email }) %>
<%~ include('@field', { name: 'password', label: it.t.signIn.password, type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024, error: it.errors.password }) %>
      <button type="submit" class="button button--primary button--block"><%= it.t.signIn.submit %></button>
    </form>
  </div>
</div>
`;

export const signInCode = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <h1><%= it.t.signIn.codeTitle %></h1>
    <p class="lead"><%= it.t.signIn.codeIntro %></p>
<%~ include('@messages', it) %>
    <form method="post" action="/login/code" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'code', label: it.t.signIn.code, hint: it.t.signIn.codeHint, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 9, size: 9, required: true, autofocus: true, className: 'input-code', error: it.errors.code }) %>
      <button type="submit" class="button button--primary button--block"><%= it.t.signIn.verify %></button>
    </form>
    <p class="alternative"><a href="/login/recovery-code"><%= it.t.signIn.useRecoveryCode %></a></p>
  </div>
</div>
`;

export const signInRecovery = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <h1><%= it.t.signIn.recoveryTitle %></h1>
    <p class="lead"><%= it.t.signIn.recoveryIntro %></p>
<%~ include('@messages', it) %>
    <form method="post" action="/login/recovery-code" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'code', label: it.t.signIn.recoveryCode, hint: it.t.signIn.recoveryHint, autocomplete: 'off', maxlength: 64, required: true, autofocus: true, spellcheck: false, className: 'input-code input-code--long', error: it.errors.code }) %>
      <button type="submit" class="button button--primary button--block"><%= it.t.signIn.verify %></button>
    </form>
    <p class="alternative"><a href="/login/code"><%= it.t.signIn.useApp %></a></p>
    <p class="hint footnote"><%= it.t.signIn.lostDevice %></p>
  </div>
</div>
`;

export const enrollIntro = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <h1><%= it.t.signIn.enrollTitle %></h1>
<%~ include('@messages', it) %>
    <p class="lead"><%= it.t.signIn.enrollIntro %></p>
    <form method="post" action="/login/enroll">
<%~ include('@csrf', it) %>
      <button type="submit" class="button button--primary button--block"><%= it.t.signIn.enrollStart %></button>
    </form>
  </div>
</div>
`;

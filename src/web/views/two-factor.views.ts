/** Two-factor settings and the enrollment pages shared by settings and the forced sign-in step. */

/**
 * The QR code (a data: PNG, allowed by the CSP's img-src), the secret as text for typing in by
 * hand, and the confirmation code. `it.action` is where the code goes, `it.restart` where a new
 * QR code comes from. After a wrong code the page is shown again without the QR code: the secret
 * is not kept anywhere it could be shown from.
 */
export const enrollScan = `<% layout('@layout') %>
<div class="narrow narrow--wide">
  <div class="card">
    <h1><%= it.heading %></h1>
<%~ include('@messages', it) %>
<% if (!it.qrCode) { %>
    <p class="lead"><%= it.t.twoFactor.retryIntro %></p>
<% } %>
<% if (it.qrCode) { %>
    <ol class="steps">
      <li><%= it.t.twoFactor.scanStep1 %></li>
      <li><%= it.t.twoFactor.scanStep2 %></li>
    </ol>
    <div class="qr-block">
      <figure class="qr">
        <img id="qr-code" src="<%= it.qrCode %>" alt="<%= it.t.twoFactor.qrAlt %>" width="<%= it.qrSize %>" height="<%= it.qrSize %>">
      </figure>
      <div class="manual-key">
        <p class="manual-key__label"><%= it.t.twoFactor.manualEntry %></p>
        <p><span class="visually-hidden"><%= it.t.twoFactor.manualKey %>: </span><code id="totp-secret" class="secret"><%= it.secret.replace(/(.{4})/g, '$1 ').trim() %></code></p>
        <p class="hint"><%= it.t.twoFactor.manualKey %> · SHA-1 · 6 · 30 s</p>
      </div>
    </div>
<% } %>
    <form method="post" action="<%= it.action %>" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'code', label: it.t.twoFactor.confirmCode, hint: it.t.signIn.codeHint, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 9, size: 9, required: true, autofocus: !it.qrCode, className: 'input-code', error: it.errors.code }) %>
      <button type="submit" class="button button--primary"><%= it.t.twoFactor.confirm %></button>
    </form>
<% if (it.restart) { %>
    <form method="post" action="<%= it.restart %>" class="secondary-action">
<%~ include('@csrf', it) %>
      <button type="submit" class="button button--quiet"><%= it.t.twoFactor.startOver %></button>
    </form>
<% } else if (it.back) { %>
    <p class="secondary-action"><a href="<%= it.back %>"><%= it.t.common.back %></a></p>
<% } %>
  </div>
</div>
`;

/** Shown once, right after enrollment or regeneration; the download is a data: URL, no request. */
export const recoveryCodes = `<% layout('@layout') %>
<div class="narrow narrow--wide">
  <div class="card">
<% if (it.enabledTitle) { %>
    <div class="alert alert--success" role="status"><p><%= it.enabledTitle %></p></div>
<% } %>
    <h1><%= it.heading %></h1>
    <p class="lead"><%= it.t.twoFactor.recoveryCodesIntro %></p>
    <ul class="recovery-codes" id="recovery-codes">
<% it.codes.forEach(function (code) { %>
      <li><code><%= code %></code></li>
<% }) %>
    </ul>
    <div class="actions">
      <a class="button" id="download-codes" href="<%= it.downloadHref %>" download="recovery-desk-recovery-codes.txt"><%= it.t.twoFactor.download %></a>
      <a class="button button--primary" href="<%= it.continueHref %>"><%= it.t.twoFactor.done %></a>
    </div>
  </div>
</div>
`;

export const settings = `<% layout('@layout') %>
<p class="eyebrow"><%= it.t.nav.settings %></p>
<h1><%= it.t.twoFactor.title %></h1>
<p class="lead"><%= it.t.twoFactor.intro %></p>
<%~ include('@messages', it) %>
<section class="card" aria-labelledby="status-heading">
  <h2 id="status-heading" class="visually-hidden"><%= it.t.twoFactor.status %></h2>
  <dl class="summary">
    <div><dt><%= it.t.twoFactor.status %></dt><dd><span class="badge badge--<%= it.me.twoFactor.status %>" id="two-factor-status"><%= it.t.twoFactor.statusLabel[it.me.twoFactor.status] %></span></dd></div>
<% if (it.me.twoFactor.status === 'active') { %>
    <div><dt><%= it.t.twoFactor.recoveryCodesLeft %></dt><dd id="recovery-codes-left"><%= it.me.twoFactor.recoveryCodesRemaining %></dd></div>
<% } %>
  </dl>
<% if (it.me.twoFactor.status === 'active') { %>
  <p><%= it.t.twoFactor.activeIntro %></p>
<% } else { %>
<% if (it.me.twoFactor.status === 'pending') { %>
  <p><%= it.t.twoFactor.pendingIntro %></p>
<% } else if (it.me.twoFactor.status === 'reset_required') { %>
  <p><%= it.t.twoFactor.resetIntro %></p>
<% } else { %>
  <p><%= it.t.twoFactor.offIntro %></p>
<% } %>
  <form method="post" action="/settings/2fa/enrollment">
<%~ include('@csrf', it) %>
    <button type="submit" class="button button--primary" id="enable-2fa"><%= it.t.twoFactor.enable %></button>
  </form>
<% } %>
</section>
<% if (it.me.twoFactor.status === 'pending') { %>
<section class="card" aria-labelledby="finish-heading">
  <h2 id="finish-heading"><%= it.t.twoFactor.scanTitle %></h2>
  <form method="post" action="/settings/2fa/enrollment/confirm" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'code', label: it.t.twoFactor.confirmCode, hint: it.t.signIn.codeHint, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 9, size: 9, required: true, className: 'input-code', error: it.errors.confirm }) %>
    <button type="submit" class="button"><%= it.t.twoFactor.confirm %></button>
  </form>
</section>
<% } %>
<% if (it.me.twoFactor.status === 'active') { %>
<div class="grid-2">
  <section class="card" aria-labelledby="regenerate-heading">
    <h2 id="regenerate-heading"><%= it.t.twoFactor.regenerateTitle %></h2>
    <p><%= it.t.twoFactor.regenerateIntro %></p>
    <form method="post" action="/settings/2fa/recovery-codes" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'code', id: 'regenerate-code', label: it.t.twoFactor.currentCode, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 9, size: 9, required: true, className: 'input-code', error: it.errors.regenerate }) %>
      <button type="submit" class="button"><%= it.t.twoFactor.regenerate %></button>
    </form>
  </section>
  <section class="card" aria-labelledby="move-heading">
    <h2 id="move-heading"><%= it.t.twoFactor.moveTitle %></h2>
    <p><%= it.t.twoFactor.moveIntro %></p>
    <form method="post" action="/settings/2fa/enrollment" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'code', id: 'move-code', label: it.t.twoFactor.currentCode, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 9, size: 9, required: true, className: 'input-code', error: it.errors.move }) %>
      <button type="submit" class="button"><%= it.t.twoFactor.move %></button>
    </form>
  </section>
</div>
<% } %>
`;

/**
 * The page frame and the small partials every page uses. Eta syntax: `<%= %>` prints escaped,
 * `<%~ %>` prints raw (only for our own rendered markup: the body and included partials).
 * No inline script or style anywhere: the Content-Security-Policy forbids both.
 */
export const layout = `<!doctype html>
<html lang="<%= it.t.htmlLang %>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title><%= it.title %> · <%= it.t.brand %></title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="<%= it.stylesheet %>">
</head>
<body>
<a class="skip-link" href="#main"><%= it.t.skipToContent %></a>
<header class="site-header">
  <div class="container header-inner">
    <a class="brand" href="/">
      <svg class="brand-mark" viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.6-4.6 1.4 1.4-6 6Z"/></svg>
      <span><%= it.t.brand %></span>
    </a>
<% if (it.user) { %>
    <nav class="main-nav" aria-label="<%= it.t.nav.label %>">
      <ul>
<% if (it.user.role === 'agent') { %>
        <li><a href="/agent/requests"<% if (it.path.startsWith('/agent/requests')) { %> aria-current="page"<% } %>><%= it.t.nav.requests %></a></li>
        <li><a href="/agent/messages"<% if (it.path.startsWith('/agent/messages')) { %> aria-current="page"<% } %>><%= it.t.nav.inbound %></a></li>
<% } %>
<% if (it.user.role === 'owner' || it.user.role === 'admin') { %>
        <li><a href="/users"<% if (it.path.startsWith('/users')) { %> aria-current="page"<% } %>><%= it.t.nav.users %></a></li>
<% } %>
        <li><a href="/settings"<% if (it.path.startsWith('/settings')) { %> aria-current="page"<% } %>><%= it.t.nav.settings %></a></li>
      </ul>
    </nav>
<% } %>
    <div class="header-tools">
      <nav class="language" aria-label="<%= it.t.languageSwitch %>">
        <a href="<%= it.languageLinks.sv %>" lang="sv" hreflang="sv"<% if (it.locale === 'sv') { %> aria-current="true"<% } %>>Svenska</a>
        <a href="<%= it.languageLinks.en %>" lang="en" hreflang="en"<% if (it.locale === 'en') { %> aria-current="true"<% } %>>English</a>
      </nav>
<% if (it.user) { %>
      <span class="signed-in"><span class="visually-hidden"><%= it.t.nav.signedInAs %> </span><%= it.user.name %></span>
      <form method="post" action="/logout" class="inline-form">
        <input type="hidden" name="_csrf" value="<%= it.csrf %>">
        <button type="submit" class="button button--quiet button--small"><%= it.t.nav.signOut %></button>
      </form>
<% } %>
    </div>
  </div>
</header>
<main id="main" class="container" tabindex="-1">
<%~ it.body %>
</main>
<footer class="site-footer"><div class="container"><%= it.t.brand %></div></footer>
</body>
</html>
`;

/** Success and form-level error messages, announced to screen readers. */
export const messages = `<% if (it.notice) { %>
<div class="alert alert--success" role="status"><p><%= it.notice %></p></div>
<% } %>
<% if (it.formError) { %>
<div class="alert alert--error" role="alert"><p><%= it.formError %></p></div>
<% } %>
`;

export const csrf = `<input type="hidden" name="_csrf" value="<%= it.csrf %>">`;

/**
 * One labelled input with its hint and its error right next to it (aria-describedby links them,
 * aria-invalid marks the field). Values are re-filled only for harmless fields: never a password
 * or a code.
 */
export const field = `<% const fid = 'f-' + (it.id || it.name); %>
<div class="field<% if (it.error) { %> field--error<% } %>">
  <label for="<%= fid %>"><%= it.label %></label>
<% if (it.hint) { %>  <p class="hint" id="<%= fid %>-hint"><%= it.hint %></p>
<% } %>
<% if (it.error) { %>  <p class="field-error" id="<%= fid %>-error"><%= it.error %></p>
<% } %>
<% const described = [it.hint ? fid + '-hint' : '', it.error ? fid + '-error' : ''].filter(Boolean).join(' '); %>
<% if (it.type === 'textarea') { %>
  <textarea id="<%= fid %>" name="<%= it.name %>" rows="<%= it.rows || 4 %>"<% if (it.maxlength) { %> maxlength="<%= it.maxlength %>"<% } %><% if (it.required) { %> required<% } %><% if (described) { %> aria-describedby="<%= described %>"<% } %><% if (it.error) { %> aria-invalid="true"<% } %>><%= it.value || '' %></textarea>
<% } else { %>
  <input id="<%= fid %>" name="<%= it.name %>" type="<%= it.type || 'text' %>"<% if (it.value) { %> value="<%= it.value %>"<% } %><% if (it.autocomplete) { %> autocomplete="<%= it.autocomplete %>"<% } %><% if (it.inputmode) { %> inputmode="<%= it.inputmode %>"<% } %><% if (it.maxlength) { %> maxlength="<%= it.maxlength %>"<% } %><% if (it.size) { %> size="<%= it.size %>"<% } %><% if (it.required) { %> required<% } %><% if (it.autofocus) { %> autofocus<% } %><% if (it.spellcheck === false) { %> spellcheck="false"<% } %><% if (described) { %> aria-describedby="<%= described %>"<% } %><% if (it.error) { %> aria-invalid="true"<% } %><% if (it.className) { %> class="<%= it.className %>"<% } %>>
<% } %>
</div>
`;

/** A required checkbox (the confirmation step of a decision), with its error next to it. */
export const checkbox = `<% const fid = 'f-' + (it.id || it.name); %>
<div class="field field--checkbox<% if (it.error) { %> field--error<% } %>">
<% if (it.error) { %>  <p class="field-error" id="<%= fid %>-error"><%= it.error %></p>
<% } %>
  <input id="<%= fid %>" name="<%= it.name %>" type="checkbox" value="yes"<% if (it.error) { %> aria-invalid="true" aria-describedby="<%= fid %>-error"<% } %>>
  <label for="<%= fid %>"><%= it.label %></label>
</div>
`;

export const error = `<% layout('@layout') %>
<div class="narrow">
  <div class="card">
    <p class="status-code"><%= it.status %></p>
    <h1><%= it.title %></h1>
    <p><%= it.message %></p>
    <p><a class="button" href="/"><%= it.t.errors.home %></a></p>
  </div>
</div>
`;

/** The organization's users page (owner and admins) and a user's page with "Reset 2FA token". */

export const users = `<% layout('@layout') %>
<h1><%= it.t.users.title %></h1>
<p class="lead"><%= it.t.users.intro %></p>
<%~ include('@messages', it) %>
<div class="card card--flush">
  <table class="table">
    <thead>
      <tr><th scope="col"><%= it.t.users.name %></th><th scope="col"><%= it.t.users.email %></th><th scope="col"><%= it.t.users.role %></th><th scope="col"><%= it.t.users.twoFactor %></th></tr>
    </thead>
    <tbody>
<% it.users.forEach(function (member) { %>
      <tr>
        <td><a href="/users/<%= member.id %>"><%= member.name %></a><% if (member.id === it.user.id) { %> <span class="muted"><%= it.t.users.you %></span><% } %></td>
        <td><%= member.email %></td>
        <td><%= it.t.users.roleLabel[member.role] %></td>
        <td><span class="badge badge--<%= member.twoFactor.status %>"><%= it.t.twoFactor.statusLabel[member.twoFactor.status] %></span></td>
      </tr>
<% }) %>
    </tbody>
  </table>
</div>
<section class="card" id="recovery-requests" aria-labelledby="requests-heading">
  <h2 id="requests-heading"><%= it.t.users.requestsTitle %></h2>
  <p class="hint"><%= it.t.users.requestsIntro %></p>
<% if (it.cancelDone) { %>
  <div class="alert alert--success" role="status" id="cancel-result"><p><%= it.t.users.cancelDone %></p></div>
<% } %>
<% if (it.requests.items.length === 0) { %>
  <p class="muted"><%= it.t.users.noRequests %></p>
<% } else { %>
  <table class="table">
    <thead>
      <tr><th scope="col"><%= it.t.users.member %></th><th scope="col"><%= it.t.agent.status %></th><th scope="col"><%= it.t.users.received %></th><th scope="col"><%= it.t.users.decided %></th><th scope="col"><%= it.t.users.executes %></th><th scope="col"><span class="visually-hidden"><%= it.t.users.cancelRequest %></span></th></tr>
    </thead>
    <tbody>
<% it.requests.items.forEach(function (item) { %>
      <tr data-request-id="<%= item.id %>">
        <td><% if (item.user) { %><a href="/users/<%= item.user.id %>"><%= item.user.name %></a><br><span class="muted"><%= item.user.email %></span><% } else { %>—<% } %></td>
        <td><span class="badge badge--<%= item.status %>"><%= it.t.requestStatus[item.status] %></span></td>
        <td><time datetime="<%= item.receivedAt %>"><%= it.date(item.receivedAt) %></time></td>
        <td><% if (item.decidedAt) { %><time datetime="<%= item.decidedAt %>"><%= it.date(item.decidedAt) %></time><% } else { %>—<% } %></td>
        <td><% if (item.executesAt && item.status === 'approved') { %><time datetime="<%= item.executesAt %>"><%= it.date(item.executesAt) %></time><% } else { %>—<% } %></td>
        <td><% if (item.cancellable) { %>
          <form method="post" action="/users/recovery-requests/<%= item.id %>/cancel">
<%~ include('@csrf', it) %>
            <button type="submit" class="button button--danger" aria-label="<%= it.t.users.cancelRequestLabel(item.user ? item.user.name : '') %>"><%= it.t.users.cancelRequest %></button>
          </form>
<% } %></td>
      </tr>
<% }) %>
    </tbody>
  </table>
<%~ include('@pager', { t: it.t, items: it.requests.items, total: it.requests.total, page: it.requests.page, pages: it.requests.pages, pageHref: it.requests.pageHref }) %>
<% } %>
</section>
`;

export const user = `<% layout('@layout') %>
<p class="breadcrumb"><a href="/users">← <%= it.t.users.backToUsers %></a></p>
<h1><%= it.target.name %></h1>
<%~ include('@messages', it) %>
<% if (it.resetDone) { %>
<div class="alert alert--success" role="status" id="reset-result">
  <p><strong><%= it.t.users.resetDone(it.target.name) %></strong></p>
  <p><%= it.t.users.resetNext %></p>
</div>
<% } %>
<div class="card">
  <dl class="summary">
    <div><dt><%= it.t.users.email %></dt><dd><%= it.target.email %></dd></div>
    <div><dt><%= it.t.users.role %></dt><dd><%= it.t.users.roleLabel[it.target.role] %></dd></div>
    <div><dt><%= it.t.twoFactor.title %></dt><dd><span class="badge badge--<%= it.target.twoFactor.status %>" id="target-status"><%= it.t.twoFactor.statusLabel[it.target.twoFactor.status] %></span></dd></div>
  </dl>
</div>
<section class="card" aria-labelledby="reset-heading">
  <h2 id="reset-heading"><%= it.t.users.resetTitle %></h2>
<% if (it.target.id === it.user.id) { %>
  <p><%= it.t.users.cannotResetSelf %></p>
<% } else if (it.user.role !== 'owner' && it.target.role === 'owner') { %>
  <p><%= it.t.users.cannotResetOwner %></p>
<% } else if (it.target.twoFactor.status === 'disabled') { %>
  <p><%= it.t.users.noFactor %></p>
<% } else if (it.target.twoFactor.status === 'reset_required') { %>
  <p><%= it.t.users.alreadyReset %></p>
<% } else if (it.needOwn2fa) { %>
  <p><%= it.t.users.needOwn2fa %> <a href="/settings"><%= it.t.users.setUpNow %></a></p>
<% } else { %>
  <p><%= it.t.users.resetIntro %></p>
  <p><%= it.t.users.resetNext %></p>
  <form method="post" action="/users/<%= it.target.id %>/reset" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'code', label: it.t.users.adminCode, hint: it.t.users.adminCodeHint, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 9, size: 9, required: true, className: 'input-code', error: it.errors.code }) %>
    <button type="submit" class="button button--danger"><%= it.t.users.reset %></button>
  </form>
<% } %>
</section>
`;

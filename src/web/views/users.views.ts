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

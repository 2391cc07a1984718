/** The agent console: the queue, one request with its checks and decision, inbound messages. */

export const agentQueue = `<% layout('@layout') %>
<h1><%= it.t.agent.queueTitle %></h1>
<p class="lead"><%= it.t.agent.queueIntro %></p>
<%~ include('@messages', it) %>
<nav class="status-tabs" aria-label="<%= it.t.agent.status %>">
  <ul>
<% it.counts.forEach(function (entry) { %>
    <li><a href="/agent/requests?status=<%= entry.status %>"<% if (it.filter.status === entry.status) { %> aria-current="page"<% } %>><%= it.t.requestStatus[entry.status] %> <span class="count" data-status="<%= entry.status %>"><%= entry.count %></span></a></li>
<% }) %>
    <li><a href="/agent/requests?status=all"<% if (it.filter.status === 'all') { %> aria-current="page"<% } %>><%= it.t.agent.all %> <span class="count"><%= it.allCount %></span></a></li>
  </ul>
</nav>
<form method="get" action="/agent/requests" class="filters card" novalidate>
  <div class="field field--inline<% if (it.errors.status) { %> field--error<% } %>">
    <label for="f-status"><%= it.t.agent.status %></label>
<% if (it.errors.status) { %>    <p class="field-error" id="f-status-error"><%= it.errors.status %></p>
<% } %>
    <select id="f-status" name="status"<% if (it.errors.status) { %> aria-invalid="true" aria-describedby="f-status-error"<% } %>>
      <option value="all"<% if (it.filter.status === 'all') { %> selected<% } %>><%= it.t.agent.all %></option>
<% it.counts.forEach(function (entry) { %>
      <option value="<%= entry.status %>"<% if (it.filter.status === entry.status) { %> selected<% } %>><%= it.t.requestStatus[entry.status] %></option>
<% }) %>
    </select>
  </div>
<%~ include('@field', { name: 'sender', label: it.t.agent.sender, type: 'search', value: it.filter.sender, maxlength: 254, spellcheck: false, error: it.errors.sender }) %>
  <div class="filters__actions">
    <button type="submit" class="button"><%= it.t.agent.filter %></button>
    <a href="/agent/requests" class="button button--quiet"><%= it.t.agent.clear %></a>
  </div>
</form>
<div class="card card--flush">
<% if (it.items.length === 0) { %>
  <p class="empty"><%= it.t.agent.noRequests %></p>
<% } else { %>
  <table class="table" id="requests">
    <thead>
      <tr><th scope="col"><%= it.t.agent.received %></th><th scope="col"><%= it.t.agent.sender %></th><th scope="col"><%= it.t.agent.subject %></th><th scope="col"><%= it.t.agent.status %></th></tr>
    </thead>
    <tbody>
<% it.items.forEach(function (item) { %>
      <tr>
        <td class="nowrap"><time datetime="<%= item.receivedAt %>"><%= it.date(item.receivedAt) %></time></td>
        <td><a href="/agent/requests/<%= item.id %>"><%= item.sender %></a></td>
        <td class="truncate"><%= item.subject || '' %></td>
        <td><span class="badge badge--<%= item.status %>"><%= it.t.requestStatus[item.status] %></span><% if (item.reason) { %> <span class="muted"><%= it.t.rejectionReason[item.reason] || item.reason %></span><% } %></td>
      </tr>
<% }) %>
    </tbody>
  </table>
<% } %>
</div>
<%~ include('@pager', it) %>
`;

export const pager = `<% if (it.pages > 1 || it.total > 0) { %>
<nav class="pager" aria-label="<%= it.t.common.showing(it.items.length, it.total) %>">
  <span class="muted"><%= it.t.common.showing(it.items.length, it.total) %></span>
<% if (it.page > 1) { %>  <a href="<%= it.pageHref(it.page - 1) %>"><%= it.t.common.previous %></a>
<% } %>
<% if (it.page < it.pages) { %>  <a href="<%= it.pageHref(it.page + 1) %>"><%= it.t.common.next %></a>
<% } %>
</nav>
<% } %>
`;

const checkBadge = (expression: string, label: string) =>
  `<span class="check check--<%= ${expression} %>"><%= ${label} %></span>`;

export const agentRequest = `<% layout('@layout') %>
<p class="breadcrumb"><a href="/agent/requests">← <%= it.t.agent.queueTitle %></a></p>
<div class="page-title">
  <h1><%= it.t.agent.requestTitle %></h1>
  <span class="badge badge--<%= it.request.status %> badge--large" id="request-status"><%= it.t.requestStatus[it.request.status] %></span>
</div>
<%~ include('@messages', it) %>
<div class="card">
  <dl class="summary summary--columns">
    <div><dt><%= it.t.agent.sender %></dt><dd><%= it.request.sender %></dd></div>
    <div><dt><%= it.t.agent.received %></dt><dd><time datetime="<%= it.request.receivedAt %>"><%= it.date(it.request.receivedAt) %></time></dd></div>
<% if (it.request.reason) { %>    <div><dt><%= it.t.agent.rejectionReason %></dt><dd><%= it.t.rejectionReason[it.request.reason] || it.request.reason %></dd></div>
<% } %>
<% if (it.request.expiresAt && it.request.status === 'awaiting_approval') { %>    <div><dt><%= it.t.agent.expiresAt %></dt><dd><%= it.date(it.request.expiresAt) %></dd></div>
<% } %>
<% if (it.request.decidedAt) { %>    <div><dt><%= it.t.agent.decidedAt %></dt><dd><%= it.date(it.request.decidedAt) %></dd></div>
<% } %>
<% if (it.request.executesAt && it.request.status === 'approved') { %>    <div><dt><%= it.t.agent.executesAt %></dt><dd><%= it.date(it.request.executesAt) %></dd></div>
<% } %>
<% if (it.request.completedAt) { %>    <div><dt><%= it.t.agent.completedAt %></dt><dd><%= it.date(it.request.completedAt) %></dd></div>
<% } %>
<% if (it.request.denyReason) { %>    <div><dt><%= it.t.agent.denyReasonShown %></dt><dd><%= it.request.denyReason %></dd></div>
<% } %>
  </dl>
</div>
<div class="grid-2">
  <section class="card" aria-labelledby="checks-heading">
    <h2 id="checks-heading"><%= it.t.agent.checks %></h2>
    <dl class="checks" id="checks">
      <div><dt><%= it.t.agent.senderAuth %></dt><dd>${checkBadge('it.request.checks.senderAuth.result', 'it.t.agent.authResult[it.request.checks.senderAuth.result] || it.request.checks.senderAuth.result')}</dd><dd class="check-detail"><%= it.request.checks.senderAuth.method %><% if (it.request.checks.senderAuth.detail) { %> · <%= it.request.checks.senderAuth.detail %><% } %></dd></div>
      <div><dt><%= it.t.agent.senderMatch %></dt><dd>${checkBadge('it.request.checks.senderMatch', 'it.t.agent.senderMatchLabel[it.request.checks.senderMatch] || it.request.checks.senderMatch')}</dd></div>
<% ['last4', 'holderName', 'studentId'].forEach(function (factor) { %>
      <div><dt><%= it.t.agent.factors %>: <%= it.t.agent.factorLabel[factor] %></dt><dd>${checkBadge('it.request.checks.factors[factor]', 'it.t.agent.factorCheck[it.request.checks.factors[factor]] || it.request.checks.factors[factor]')}</dd></div>
<% }) %>
    </dl>
    <p class="hint"><%= it.t.agent.billingNote %></p>
  </section>
  <section class="card" aria-labelledby="risk-heading">
    <h2 id="risk-heading"><%= it.t.agent.risk %></h2>
<% if (it.request.risk) { %>
    <dl class="checks" id="risk">
<% if (it.request.risk.targetRole !== undefined) { %>
      <div><dt><%= it.t.agent.targetRole %></dt><dd><%= it.t.users.roleLabel[it.request.risk.targetRole] || it.request.risk.targetRole %></dd></div>
      <div><dt><%= it.t.agent.localAdmins %></dt><dd><%= it.request.risk.localAdminsWith2fa %></dd></div>
      <div><dt><%= it.t.agent.requests30 %></dt><dd><%= it.request.risk.requestsLast30Days %></dd></div>
      <div><dt><%= it.t.agent.accountAge %></dt><dd><%= it.request.risk.accountAgeDays %></dd></div>
<% } %>
<% if (it.request.risk.reportsLast30Days !== undefined) { %>
      <div><dt><%= it.t.agent.reports30 %></dt><dd id="risk-reports"><% if (it.request.risk.reportsLast30Days > 0) { %><span class="badge badge--rejected"><%= it.request.risk.reportsLast30Days %></span><% } else { %>0<% } %></dd></div>
<% } %>
    </dl>
<% } else { %>
    <p class="muted"><%= it.t.common.none %></p>
<% } %>
<% if (it.request.approvalsRequired > 1) { %>    <p class="alert alert--warning"><%= it.t.agent.adminNeedsTwo %></p>
<% } %>
  </section>
</div>
<section class="card" aria-labelledby="excerpt-heading">
  <h2 id="excerpt-heading"><%= it.t.agent.excerpt %></h2>
<% if (it.request.subject) { %>  <p><strong><%= it.t.agent.subject %>:</strong> <%= it.request.subject %></p>
<% } %>
  <pre class="excerpt" id="excerpt"><%= it.request.bodyExcerpt || '' %></pre>
</section>
<section class="card" aria-labelledby="approvals-heading">
  <h2 id="approvals-heading"><%= it.t.agent.approvals %> <span class="muted">(<%= it.t.agent.approvalsCount(it.request.approvals.length, it.request.approvalsRequired) %>)</span></h2>
<% if (it.request.approvals.length === 0) { %>
  <p class="muted"><%= it.t.common.none %></p>
<% } else { %>
  <ul class="plain-list">
<% it.request.approvals.forEach(function (approval) { %>
    <li><time datetime="<%= approval.approvedAt %>"><%= it.date(approval.approvedAt) %></time> <%= it.t.agent.by %> <strong><%= it.names[approval.agentId] || approval.agentId %></strong><% if (approval.note) { %>: <%= approval.note %><% } %></li>
<% }) %>
  </ul>
<% } %>
</section>
<% if (it.request.status === 'awaiting_approval') { %>
<% if (it.alreadyApproved) { %>
<div class="alert alert--info" role="status"><p><%= it.t.agent.alreadyApproved %></p></div>
<% } else { %>
<div class="grid-2">
  <section class="card card--decision card--approve" aria-labelledby="approve-heading">
    <h2 id="approve-heading"><%= it.t.agent.approveTitle %></h2>
    <form method="post" action="/agent/requests/<%= it.request.id %>/approve" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'note', id: 'approve-note', label: it.t.agent.note, type: 'textarea', rows: 2, maxlength: 2000, value: it.values.note, error: it.errors.note }) %>
<%~ include('@checkbox', { name: 'confirm', id: 'approve-confirm', label: it.t.agent.approveConfirm, error: it.errors.approveConfirm }) %>
<% if (it.askCode) { %><%~ include('@field', { name: 'code', id: 'approve-code', label: it.t.twoFactor.currentCode, hint: it.t.agent.stepUpHint, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 9, size: 9, required: true, className: 'input-code', error: it.errors.approveCode }) %><% } %>
      <button type="submit" class="button button--primary" id="approve"><%= it.t.agent.approve %></button>
    </form>
  </section>
  <section class="card card--decision card--deny" aria-labelledby="deny-heading">
    <h2 id="deny-heading"><%= it.t.agent.denyTitle %></h2>
    <form method="post" action="/agent/requests/<%= it.request.id %>/deny" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { name: 'reason', label: it.t.agent.denyReason, type: 'textarea', rows: 2, maxlength: 2000, required: true, value: it.values.reason, error: it.errors.reason }) %>
<%~ include('@checkbox', { name: 'confirm', id: 'deny-confirm', label: it.t.agent.denyConfirm, error: it.errors.denyConfirm }) %>
<% if (it.askCode) { %><%~ include('@field', { name: 'code', id: 'deny-code', label: it.t.twoFactor.currentCode, hint: it.t.agent.stepUpHint, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 9, size: 9, required: true, className: 'input-code', error: it.errors.denyCode }) %><% } %>
      <button type="submit" class="button button--danger" id="deny"><%= it.t.agent.deny %></button>
    </form>
  </section>
</div>
<% } %>
<% } %>
<section class="card card--flush" aria-labelledby="history-heading">
  <h2 id="history-heading" class="card__heading"><%= it.t.agent.history %></h2>
  <table class="table" id="history">
    <thead><tr><th scope="col"><%= it.t.agent.when %></th><th scope="col"><%= it.t.agent.who %></th><th scope="col"><%= it.t.agent.what %></th><th scope="col"><%= it.t.agent.details %></th></tr></thead>
    <tbody>
<% it.history.forEach(function (event) { %>
      <tr>
        <td class="nowrap"><time datetime="<%= event.occurredAt %>"><%= it.date(event.occurredAt) %></time></td>
        <td><%= event.actor %></td>
        <td><code><%= event.action %></code></td>
        <td class="muted small"><%= event.details %></td>
      </tr>
<% }) %>
    </tbody>
  </table>
</section>
`;

export const agentInbound = `<% layout('@layout') %>
<h1><%= it.t.agent.inboundTitle %></h1>
<p class="lead"><%= it.t.agent.inboundIntro %></p>
<nav class="status-tabs" aria-label="<%= it.t.agent.state %>">
  <ul>
    <li><a href="/agent/messages"<% if (!it.filter.status) { %> aria-current="page"<% } %>><%= it.t.agent.all %></a></li>
<% it.states.forEach(function (state) { %>
    <li><a href="/agent/messages?status=<%= state %>"<% if (it.filter.status === state) { %> aria-current="page"<% } %>><%= it.t.inboundState[state] %></a></li>
<% }) %>
  </ul>
</nav>
<%~ include('@messages', it) %>
<div class="card card--flush">
<% if (it.items.length === 0) { %>
  <p class="empty"><%= it.t.agent.noMessages %></p>
<% } else { %>
  <table class="table" id="messages">
    <thead>
      <tr><th scope="col"><%= it.t.agent.received %></th><th scope="col"><%= it.t.agent.from %></th><th scope="col"><%= it.t.agent.subject %></th><th scope="col"><%= it.t.agent.state %></th><th scope="col"><%= it.t.agent.decision %></th><th scope="col"><%= it.t.agent.request %></th></tr>
    </thead>
    <tbody>
<% it.items.forEach(function (message) { %>
      <tr>
        <td class="nowrap"><time datetime="<%= message.receivedAt %>"><%= it.date(message.receivedAt) %></time></td>
        <td><%= message.from.join(', ') || message.envelope.mailFrom || '' %></td>
        <td class="truncate"><%= message.subject || '' %></td>
        <td><span class="badge badge--msg-<%= message.state %>"><%= it.t.inboundState[message.state] || message.state %></span></td>
<% const current = message.requestStatus || message.decision; %>
        <td class="small request-status"><% if (current) { %><%= it.t.requestStatus[current] || current %><% } %><% if (message.reason) { %> <span class="muted">(<%= it.t.rejectionReason[message.reason] || message.reason %>)</span><% } %></td>
        <td><% if (message.requestId) { %><a href="/agent/requests/<%= message.requestId %>"><%= it.t.agent.open %><span class="visually-hidden">: <%= message.subject || message.from.join(', ') %></span></a><% } %></td>
      </tr>
<% }) %>
    </tbody>
  </table>
<% } %>
</div>
<%~ include('@pager', it) %>
`;

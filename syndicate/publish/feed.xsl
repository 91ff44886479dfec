<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an RSS or Atom feed of syndicate as a readable page in a browser. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>
  <xsl:template match="/">
    <html>
      <head>
        <meta charset="utf-8"/>
        <title><xsl:value-of select="/rss/channel/title | /atom:feed/atom:title"/></title>
        <style>body{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}
          .note{background:#f3f3f3;padding:.6em 1em;border-radius:6px}</style>
      </head>
      <body>
        <h1><xsl:value-of select="/rss/channel/title | /atom:feed/atom:title"/></h1>
        <p class="note">This is a feed. Copy this page's address into your feed reader to
          subscribe.</p>
        <xsl:for-each select="/rss/channel/item">
          <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
          <p><xsl:value-of select="description"/></p>
        </xsl:for-each>
        <xsl:for-each select="/atom:feed/atom:entry">
          <h2><a href="{atom:link[@rel='alternate'][1]/@href}"><xsl:value-of select="atom:title"/></a></h2>
          <p><xsl:value-of select="atom:summary"/></p>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
